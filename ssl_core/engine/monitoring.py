"""Cheap label-free health monitors and the online probe, run on rank 0 every ``monitor_every`` steps.

Label-free: RankMe (Garrido et al., 2023) and per-dimension standard deviation (collapse detector,
Jing et al., 2022) of the step's embeddings, from :func:`ssl_core.monitors.label_free_metrics`.
When the batch carries ``recipe.label_key``, an :class:`ssl_core.monitors.OnlineProbe` (stop-grad
linear classifier + kNN) is updated and reports its accuracy; its state is checkpointed.
Each monitor row also carries the collapse / stall alarms of :mod:`ssl_core.monitors.alarms`
(``alarm/collapse``, ``alarm/stalled``; a warning line on stderr when one becomes active).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor, nn

from ssl_core.interfaces import Batch

__all__ = ["Monitors", "domain_advice"]


def domain_advice(recipe: str) -> dict[str, str]:
    """``DomainSpec.alarm_advice`` of the plugin owning ``recipe`` (``"domain/name"``), else empty."""
    from ssl_core.plugins.manager import get_plugin_manager

    spec = get_plugin_manager().domain_specs().get(recipe.split("/", 1)[0])
    return dict(spec.alarm_advice) if spec is not None else {}


class Monitors:
    """Runs the monitors on the steps that are a multiple of ``every``.

    Args:
        label_key: the recipe's label key (``None``: no probe).
        every: cadence in steps (``<= 0`` disables monitors).
        recipe: the run's ``"domain/name"``: its plugin's ``DomainSpec.alarm_advice`` joins the
            alarm warnings.
    """

    def __init__(self, label_key: str | None, every: int, recipe: str | None = None) -> None:
        from ssl_core.monitors.alarms import AlarmTracker

        self.label_key, self.every = label_key, every
        self.probe: nn.Module | None = None
        self.alarms = AlarmTracker(advice=domain_advice(recipe) if recipe and every > 0 else None)

    def _probe(self, dim: int) -> Any:
        if self.probe is None:
            from ssl_core.monitors import OnlineProbe

            self.probe = OnlineProbe(dim)
        return self.probe

    def load_probe(self, state: Mapping[str, Tensor]) -> None:
        """Restore the probe saved in a checkpoint."""
        self._probe(int(state["running_mean"].shape[0])).load_state_dict(state)

    def maybe_run(
        self, step: int, embeddings: Tensor, batch: Batch, loss: Tensor | None = None
    ) -> dict[str, float]:
        """The monitor metrics and alarm flags of ``step`` (empty when it is not a monitor step).

        ``loss`` (the step's loss) feeds the stall alarm; without it only the collapse alarm runs.
        """
        if self.every <= 0 or step % self.every:
            return {}
        from ssl_core.monitors import label_free_metrics

        emb = embeddings.detach().float().flatten(1)
        out = label_free_metrics(emb)
        labels = batch.get(self.label_key) if self.label_key is not None else None
        if isinstance(labels, Tensor) and labels.shape[0] == emb.shape[0]:
            out.update(self._probe(emb.shape[1]).update(emb, labels))
        loss_value = float(loss.detach().float()) if loss is not None else None
        out.update(self.alarms.update(step, out, int(emb.shape[1]), loss_value))
        return out
