"""A generic JEPA method: context encoder + predictor regress an EMA target encoder's latents.

Assran et al., 2023, "Self-Supervised Learning from Images with a Joint-Embedding Predictive
Architecture" (I-JEPA), arXiv 2301.08243; Thimonier et al., 2025, "T-JEPA", arXiv 2410.05016.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.ema import make_teacher
from ssl_core.interfaces import POOLED, TOKENS, Batch, Objective, SSLModule, StepOutput, ViewGenerator
from ssl_core.methods._views import output, pick_views, prefixed
from ssl_core.methods.frontend import run_frontend
from ssl_core.objectives.jepa import JEPALoss
from ssl_core.objectives.jepa_predictor import JEPAPredictor, gather_tokens


def target_sets(target_idx: Tensor) -> Tensor:
    """``(S, B, Nt)`` target index sets from ``(S, B, Nt)`` or a single ``(B, Nt)`` set."""
    if target_idx.dim() == 2:
        return target_idx.unsqueeze(0)
    if target_idx.dim() != 3:
        raise ValueError(
            f"JEPAMethod: target_idx must be (B, Nt) or (S, B, Nt), got {tuple(target_idx.shape)}"
        )
    return target_idx


class JEPAMethod(SSLModule):
    """``L = 1/S sum_s MSE(g(f_theta(x_C), T_s), sg(f_xi(x)[T_s]))`` with ``f_xi`` an EMA of ``f_theta``.

    ``masks`` (e.g. :class:`ssl_core.views.ContextTargetMasks`) adds ``context_idx`` ``(B, Nc)`` and
    ``target_idx`` ``(S, B, Nt)`` token positions to the batch. The context encoder is called on that
    view and must return ``"tokens"`` ``(B, Nc, H)`` for exactly the context positions, in order (it
    reads ``context_idx``); the target encoder (an EMA copy made with
    :func:`ssl_core.ema.make_teacher`, returned by :meth:`ema_pairs`, always in eval mode) sees the
    full batch without the index keys and returns ``"tokens"`` ``(B, T, H)``, gathered at each target
    set. All target sets go through the predictor in one call (the context repeated ``S`` times).

    Args:
        context_encoder: the trained encoder.
        predictor: a :class:`ssl_core.objectives.JEPAPredictor` (or any module with its signature).
        masks: view generator adding the context / target indices.
        objective: the latent loss (default :class:`ssl_core.objectives.JEPALoss`).
        context_key: key of the context indices in the view.
        target_key: key of the target index sets in the view.
        normalize_targets: layer-normalise the teacher's tokens first (I-JEPA).
        embed_with: ``"target"`` (T-JEPA: downstream uses the EMA target encoder) or ``"context"``.
        frontend: optional :class:`ssl_core.interfaces.Frontend` run on the batch before the masks
            (in :meth:`forward` and :meth:`embed`; ``no_grad`` unless it has trainable parameters;
            its buffers are checkpointed under ``frontend.``).
    """

    def __init__(
        self,
        context_encoder: nn.Module,
        predictor: JEPAPredictor | nn.Module,
        masks: ViewGenerator,
        objective: Objective | None = None,
        *,
        context_key: str = "context_idx",
        target_key: str = "target_idx",
        normalize_targets: bool = False,
        embed_with: str = "target",
        frontend: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.frontend = frontend
        if embed_with not in ("target", "context"):
            raise ValueError(f"JEPAMethod: embed_with must be 'target' or 'context', got {embed_with!r}")
        self.context_encoder, self.predictor, self.masks = context_encoder, predictor, masks
        self.target_encoder = make_teacher(context_encoder)
        self.objective = objective if objective is not None else JEPALoss()
        self.context_key, self.target_key = context_key, target_key
        self.normalize_targets, self.embed_with = normalize_targets, embed_with
        self.target_encoder.eval()

    def train(self, mode: bool = True) -> JEPAMethod:
        """Set train / eval mode; the target encoder always stays in eval mode (deterministic targets)."""
        super().train(mode)
        self.target_encoder.eval()
        return self

    def ema_pairs(self) -> Sequence[tuple[nn.Module, nn.Module]]:
        return [(self.context_encoder, self.target_encoder)]

    def _strip(self, view: Batch) -> Batch:
        return {k: v for k, v in view.items() if k not in (self.context_key, self.target_key)}

    @torch.no_grad()
    def _targets(self, full: Batch, sets: Tensor) -> tuple[Tensor, Tensor | None]:
        reps = self.target_encoder(full)
        tokens = output(reps, TOKENS, "JEPAMethod (target encoder)")
        if self.normalize_targets:
            tokens = F.layer_norm(tokens, tokens.shape[-1:])
        num_sets, batch, n_t = sets.shape
        gathered = gather_tokens(tokens.repeat(num_sets, 1, 1), sets.reshape(num_sets * batch, n_t))
        return gathered, self.monitored(reps)

    def monitored(self, reps: dict[str, Tensor]) -> Tensor | None:
        """What the engine's label-free monitors see of the target encoder's output ``reps``
        (``StepOutput.embeddings``): its pooled output; override to watch the downstream
        representation instead (T-JEPA: all tokens flattened)."""
        return reps.get(POOLED)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        batch = run_frontend(self.frontend, batch)
        _, view = pick_views(self.masks(batch, generator), None, "JEPAMethod")[0]
        for key in (self.context_key, self.target_key):
            if key not in view:
                raise KeyError(f"JEPAMethod: mask view has no {key!r} (got {sorted(view)})")
        ctx_idx, sets = view[self.context_key], target_sets(view[self.target_key])
        context = output(self.context_encoder(view), TOKENS, "JEPAMethod (context encoder)")
        num_sets = sets.shape[0]
        pred = self.predictor(context.repeat(num_sets, 1, 1), ctx_idx.repeat(num_sets, 1), sets.flatten(0, 1))
        target, pooled = self._targets(self._strip(view), sets)
        out = self.objective(list(pred.chunk(num_sets)), list(target.chunk(num_sets)))
        return StepOutput(out.loss, prefixed(out.metrics, out.loss, "jepa"), pooled)

    def embed(self, batch: Batch) -> Tensor:
        """Pooled representation by the target (default) or context encoder on the full batch."""
        encoder = self.target_encoder if self.embed_with == "target" else self.context_encoder
        return output(encoder(self._strip(run_frontend(self.frontend, batch))), POOLED, "JEPAMethod")
