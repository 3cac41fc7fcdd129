"""Multi-loss weighting: fixed weights, and learned homoscedastic-uncertainty weights.

Kendall, Gal, Cipolla, 2018, "Multi-Task Learning Using Uncertainty to Weigh Losses", arXiv 1705.07115,
with the positive regulariser ``log(1 + sigma^2)`` of Liebel & Koerner, 2018, "Auxiliary Tasks in
Multi-task Learning", arXiv 1805.06334.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.objectives._checks import detached_metrics


def named_losses(
    names: Sequence[str], losses: tuple[Tensor | Mapping[str, Tensor], ...]
) -> dict[str, Tensor]:
    """``{name: loss}`` from one mapping or from positional losses in ``names`` order (exact key match)."""
    if len(losses) == 1 and isinstance(losses[0], Mapping):
        named = dict(losses[0])
    else:
        if len(losses) != len(names) or not all(isinstance(t, Tensor) for t in losses):
            raise ValueError(f"weighting: expected {len(names)} losses {list(names)}, got {len(losses)}")
        named = dict(zip(names, losses))  # type: ignore[arg-type]
    if set(named) != set(names):
        raise ValueError(f"weighting: expected losses {sorted(names)}, got {sorted(named)}")
    return named


class FixedWeighting(Objective):
    """``L = sum_k w_k L_k`` with fixed weights.

    Call with one ``{name: loss}`` mapping or the losses positionally in the order of ``weights``.

    Args:
        weights: ``{name: weight}``, non-empty, weights finite.
    """

    def __init__(self, weights: Mapping[str, float]) -> None:
        super().__init__()
        if not weights:
            raise ValueError("FixedWeighting: weights must not be empty")
        self.weights = {str(k): float(v) for k, v in weights.items()}

    def forward(self, *losses: Tensor | Mapping[str, Tensor]) -> ObjectiveOutput:
        named = named_losses(list(self.weights), losses)
        loss = torch.stack([self.weights[k] * named[k] for k in self.weights]).sum()
        return ObjectiveOutput(loss, detached_metrics(**{f"loss/{k}": v for k, v in named.items()}))


class UncertaintyWeighting(Objective):
    """``L = sum_k 0.5 / sigma_k^2 L_k + log(1 + sigma_k^2)`` with learnable ``sigma_k`` (init 1).

    Parametrised as ``s_k = log sigma_k^2`` (init 0) for stability; the optimum for a fixed
    ``L_k > 0`` is ``sigma_k^2 = (L_k + sqrt(L_k^2 + 8 L_k)) / 4``.

    Args:
        names: loss names, in positional order.
    """

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__()
        if not names or len(set(names)) != len(names):
            raise ValueError(f"UncertaintyWeighting: names must be non-empty and unique, got {list(names)}")
        self.names = [str(n) for n in names]
        self.log_var = nn.Parameter(torch.zeros(len(self.names)))

    def forward(self, *losses: Tensor | Mapping[str, Tensor]) -> ObjectiveOutput:
        named = named_losses(self.names, losses)
        stacked = torch.stack([named[k] for k in self.names])
        var = self.log_var.exp()
        loss = (0.5 * stacked / var + torch.log1p(var)).sum()
        metrics = {f"loss/{k}": named[k] for k in self.names}
        metrics.update({f"sigma/{k}": var[i].sqrt() for i, k in enumerate(self.names)})
        return ObjectiveOutput(loss, detached_metrics(**metrics))
