"""A generic joint-embedding method: views -> encoder -> projector -> embedding objective.

Covers SimCLR (Chen et al., 2020, arXiv 2002.05709), VICReg (Bardes et al., 2022, arXiv 2105.04906),
Barlow Twins (Zbontar et al., 2021, arXiv 2103.03230), SimSiam (Chen & He, 2021, arXiv 2011.10566)
and per-view-encoder set-ups such as frame projections, depending on the objective and encoders.
Logs alignment / uniformity (Wang & Isola, 2020, arXiv 2005.10242) of the first two views.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ssl_core.ema import make_teacher
from ssl_core.interfaces import POOLED, Batch, EmbeddingObjective, SSLModule, StepOutput, ViewGenerator
from ssl_core.methods._views import output, pick_views, prefixed
from ssl_core.methods.frontend import run_frontend
from ssl_core.monitors.stats import alignment_tensor, uniformity_tensor

EMBEDDING = "embedding"
"""Key of the first view's encoder representation in :meth:`TwoViewMethod.encode`'s output."""


def _per_view(module: nn.Module | Mapping[str, nn.Module] | None, keys: Sequence[str] | None) -> nn.Module:
    if module is None:
        return nn.Identity()
    if isinstance(module, Mapping):
        if keys is None or set(module) != set(keys):
            raise ValueError(f"TwoViewMethod: per-view modules {sorted(module)} must match view_keys {keys}")
        return nn.ModuleDict(dict(module))
    return module


class TwoViewMethod(SSLModule):
    """``views(batch) -> encoder(view)["pooled"] -> projector -> objective(z_1, ..., z_V)``.

    Args:
        views: a :class:`ViewGenerator` producing at least two views.
        encoder: one shared encoder, or ``{view key: encoder}`` (then ``view_keys`` is required).
        projector: shared projector, ``{view key: projector}``, or ``None`` (identity).
        objective: an :class:`EmbeddingObjective` over the per-view projections.
        view_keys: which views to use, in order (default: ``views.view_names`` or every view produced).
        objective_name: name used in the ``loss/<name>`` metric.
        track_alignment: log ``monitor/alignment`` and ``monitor/uniformity`` of the projections.
        ema_teacher: keep EMA copies of the encoder and projector (BYOL); their projections (no
            gradient) are passed to the objective as ``targets=`` and the pairs are returned by
            :meth:`ema_pairs`. Requires an objective with ``needs_teacher`` (e.g. ``BYOLLoss``).
        frontend: optional :class:`ssl_core.interfaces.Frontend` run on the batch before the views
            (in :meth:`encode` and :meth:`embed`; ``no_grad`` unless it has trainable parameters;
            its buffers are checkpointed under ``frontend.``).

    The frozen representation (:meth:`embed`) is the pooled output of the first view's encoder.
    """

    def __init__(
        self,
        views: ViewGenerator,
        encoder: nn.Module | Mapping[str, nn.Module],
        projector: nn.Module | Mapping[str, nn.Module] | None,
        objective: EmbeddingObjective,
        view_keys: Sequence[str] | None = None,
        *,
        objective_name: str = "objective",
        track_alignment: bool = True,
        ema_teacher: bool = False,
        frontend: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.frontend = frontend
        keys = tuple(view_keys) if view_keys is not None else (tuple(views.view_names) or None)
        if keys is not None and len(keys) < 2:
            raise ValueError(f"TwoViewMethod: needs at least two views, got {keys}")
        self.views, self.view_keys = views, keys
        self.encoder = _per_view(encoder, keys)
        self.projector = _per_view(projector, keys)
        self.objective = objective
        self.batch_coupled = bool(objective.batch_coupled)
        self.objective_name, self.track_alignment = objective_name, track_alignment
        if ema_teacher and not objective.needs_teacher:
            raise ValueError(
                f"TwoViewMethod: ema_teacher needs an objective that consumes teacher targets, got {type(objective).__name__}"
            )
        self.teacher = (
            nn.ModuleDict({"encoder": make_teacher(self.encoder), "projector": make_teacher(self.projector)})
            if ema_teacher
            else None
        )

    def ema_pairs(self) -> Sequence[tuple[nn.Module, nn.Module]]:
        if self.teacher is None:
            return ()
        return [(self.encoder, self.teacher["encoder"]), (self.projector, self.teacher["projector"])]

    def _module(self, modules: nn.Module, key: str) -> nn.Module:
        return modules[key] if isinstance(modules, nn.ModuleDict) else modules

    def _represent(
        self, key: str, view: Batch, encoder: nn.Module, projector: nn.Module
    ) -> tuple[Tensor, Tensor]:
        h = output(self._module(encoder, key)(view), POOLED, "TwoViewMethod")
        return h, self._module(projector, key)(h)

    def encode(self, batch: Batch, generator: torch.Generator | None = None) -> dict[str, Tensor]:
        """Per-view projections ``{"z/<key>": (B, D)}``, the first view's representation and, with an
        EMA teacher, its projections ``{"t/<key>": (B, D)}`` (no gradient)."""
        batch = run_frontend(self.frontend, batch)
        picked = pick_views(self.views(batch, generator), self.view_keys, "TwoViewMethod")
        if len(picked) < 2:
            raise ValueError(f"TwoViewMethod: needs at least two views, got {[k for k, _ in picked]}")
        out: dict[str, Tensor] = {}
        for key, view in picked:
            h, z = self._represent(key, view, self.encoder, self.projector)
            out[f"z/{key}"] = z
            out.setdefault(EMBEDDING, h)
            if self.teacher is not None:
                with torch.no_grad():
                    out[f"t/{key}"] = self._represent(
                        key, view, self.teacher["encoder"], self.teacher["projector"]
                    )[1]
        return out

    def loss_from_embeddings(self, embeddings: Mapping[str, Tensor], batch: Batch) -> StepOutput:
        """Objective over the ``"z/*"`` (and teacher ``"t/*"``) entries of :meth:`encode`'s (possibly concatenated) output."""
        zs = [v for k, v in embeddings.items() if k.startswith("z/")]
        targets = [v.detach() for k, v in embeddings.items() if k.startswith("t/")]
        out = self.objective(*zs, targets=targets) if targets else self.objective(*zs)
        metrics = prefixed(out.metrics, out.loss, self.objective_name)
        if self.track_alignment:
            # device tensors: the engine reads metrics only at log steps (no per-step host sync)
            metrics["monitor/alignment"] = alignment_tensor(zs[0], zs[1])
            metrics["monitor/uniformity"] = uniformity_tensor(zs[0])
        emb = embeddings.get(EMBEDDING)
        return StepOutput(out.loss, metrics, None if emb is None else emb.detach())

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        return self.loss_from_embeddings(self.encode(batch, generator), batch)

    def embed(self, batch: Batch) -> Tensor:
        """Pooled representation of ``batch`` by the (first view's) encoder."""
        key = self.view_keys[0] if self.view_keys else ""
        encoder = self._module(self.encoder, key)
        return output(encoder(run_frontend(self.frontend, batch)), POOLED, "TwoViewMethod")
