"""T-JEPA as an :class:`~ssl_core.interfaces.SSLModule` (Thimonier et al., ICLR 2025, arXiv 2410.05016).

One step: draw context / target feature subsets for the batch (core ``ContextTargetMasks``; [REG]
tokens always context, never targets), encode only the context tokens with the context encoder,
encode the whole row with the EMA target encoder (no gradient), predict the ``S`` target sets'
latents with the core ``JEPAPredictor`` (the ``S`` sets are stacked along the batch: one predictor
call), and regress them with the core ``JEPALoss`` (MSE in latent space, averaged over sets).
There is no augmentation. The frozen representation (:meth:`TJEPA.embed`) is the target encoder's
flattened ``(n_cls + D) x H`` output, as in the paper's downstream protocol.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from ssl_core.ema import make_teacher
from ssl_core.interfaces import Batch, SSLModule, StepOutput
from ssl_core.objectives import JEPALoss, JEPAPredictor
from ssl_core.objectives.jepa_predictor import gather_tokens
from ssl_core.views import ContextTargetMasks
from torch import Tensor, nn

from ssl_plugin_tabular.encoders import TJEPAEncoder, trunc_normal_init_


class TJEPA(SSLModule):
    """Context encoder + EMA target encoder + predictor, trained by latent prediction of feature subsets.

    Args:
        encoder: the context encoder (its deep copy becomes the EMA target encoder).
        predictor: the JEPA predictor over the encoder's ``n_cls + D`` token positions.
        masks: context / target index sampler with ``n_always_context == encoder n_cls``.
        objective: latent regression loss (default :class:`ssl_core.objectives.JEPALoss`).
    """

    def __init__(
        self,
        encoder: TJEPAEncoder,
        predictor: JEPAPredictor,
        masks: ContextTargetMasks,
        objective: nn.Module | None = None,
    ) -> None:
        super().__init__()
        n_cls = encoder.tokenizer.n_cls
        if masks.n_always_context != n_cls or masks.num_features + n_cls != encoder.n_tokens:
            raise ValueError(
                f"TJEPA: masks cover {masks.num_features} features after {masks.n_always_context} always-context "
                f"tokens, but the encoder has {encoder.n_tokens - n_cls} features after {n_cls} [REG] tokens"
            )
        self.encoder = encoder
        self.target_encoder = make_teacher(encoder)
        self.predictor = predictor
        self.masks = masks
        self.objective = objective if objective is not None else JEPALoss()

    def ema_pairs(self) -> Sequence[tuple[nn.Module, nn.Module]]:
        return [(self.encoder, self.target_encoder)]

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        view = self.masks(batch, generator)["masks"]
        ctx_idx, tgt_idx = view["context_idx"], view["target_idx"]
        n_sets, bsz, n_t = tgt_idx.shape
        context = self.encoder.encode_tokens(batch["x_num"], batch["x_cat"], ctx_idx)
        with torch.no_grad():
            full = self.target_encoder.encode_tokens(batch["x_num"], batch["x_cat"])
        flat_tgt = tgt_idx.reshape(n_sets * bsz, n_t)
        pred = self.predictor(context.repeat(n_sets, 1, 1), ctx_idx.repeat(n_sets, 1), flat_tgt)
        target = gather_tokens(full.repeat(n_sets, 1, 1), flat_tgt)
        out = self.objective(pred.split(bsz), target.split(bsz))
        metrics = {**out.metrics, "mask/n_context": torch.tensor(float(ctx_idx.shape[1])), "mask/n_target": torch.tensor(float(n_t))}
        return StepOutput(out.loss, metrics, full.flatten(1))

    @torch.no_grad()
    def embed(self, batch: Batch) -> Tensor:
        """Frozen target encoder output, flattened: ``(B, (n_cls + D) * H)``."""
        return self.target_encoder.flat(batch)


def build_tjepa(
    n_num: int,
    cardinalities: Sequence[int],
    *,
    dim: int = 64,
    depth: int = 16,
    heads: int = 2,
    ffn_dim: int = 64,
    dropout: float = 0.0,
    n_cls: int = 1,
    pred_dim: int = 16,
    pred_depth: int = 16,
    pred_heads: int = 4,
    ctx_range: tuple[float, float] = (0.136, 0.368),
    tgt_range: tuple[float, float] = (0.156, 0.622),
    num_targets: int = 4,
) -> TJEPA:
    """A T-JEPA module with the paper's launch-script defaults (16 x 64 encoder, 16 x 16 predictor)."""
    encoder = TJEPAEncoder(n_num, cardinalities, dim=dim, depth=depth, heads=heads, ffn_dim=ffn_dim, dropout=dropout, n_cls=n_cls)
    n_features = n_num + len(cardinalities)
    predictor = JEPAPredictor(
        dim, pred_dim, encoder.n_tokens, depth=pred_depth, num_heads=pred_heads, dropout=dropout, pos_base=100.0
    )
    trunc_normal_init_(predictor)
    masks = ContextTargetMasks(
        n_features, ctx_range=ctx_range, tgt_range=tgt_range, num_targets=num_targets, n_always_context=n_cls
    )
    return TJEPA(encoder, predictor, masks)
