"""T-JEPA as an SSL method (Thimonier et al., ICLR 2025, arXiv 2410.05016), built on the core ``JEPAMethod``.

One step: draw context / target feature subsets for the batch (core ``ContextTargetMasks``, indices
offset by ``n_cls`` so the [REG] tokens are always context and never targets), encode only the context
tokens with the context encoder, encode the whole row with the EMA target encoder (no gradient),
predict the ``S = 4`` target sets' latents with the core ``JEPAPredictor`` (the sets stacked along the
batch: one predictor call) and regress them with the core ``JEPALoss`` (MSE in latent space, averaged
over sets). No augmentation. The frozen representation (:meth:`TJEPA.embed`) is the target encoder's
flattened ``(n_cls + D) x H`` output, the paper's downstream input.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from ssl_core.errors import DataError
from ssl_core.interfaces import TOKENS, Batch
from ssl_core.methods import JEPAMethod
from ssl_core.objectives import JEPAPredictor
from ssl_core.views import ContextTargetMasks
from ssl_plugin_tabular.config import DEFAULT_TOKEN_STD, TJEPAArgs
from ssl_plugin_tabular.data import PreparedTable
from ssl_plugin_tabular.encoders import INIT_STD, POSITION_BASE, TJEPAEncoder, trunc_normal_init_
from ssl_plugin_tabular.views import tjepa_masks


class TJEPA(JEPAMethod):
    """Context encoder + EMA target encoder + predictor over feature tokens.

    Args:
        encoder: the context encoder (an EMA copy becomes the target encoder).
        predictor: the core JEPA predictor over the encoder's ``n_cls + D`` token positions.
        masks: the core context / target sampler with ``n_always_context == n_cls``.

    Raises:
        ValueError: the masks do not match the encoder's feature and [REG] counts.
    """

    def __init__(self, encoder: TJEPAEncoder, predictor: JEPAPredictor, masks: ContextTargetMasks) -> None:
        n_cls = encoder.tokenizer.n_cls
        if masks.n_always_context != n_cls or masks.num_features + n_cls != encoder.n_tokens:
            raise ValueError(
                f"TJEPA: masks cover {masks.num_features} features after {masks.n_always_context} always-context "
                f"tokens, but the encoder has {encoder.n_tokens - n_cls} features after {n_cls} [REG] tokens"
            )
        super().__init__(encoder, predictor, masks, embed_with="target")

    def monitored(self, reps: dict[str, Tensor]) -> Tensor | None:
        """The monitors watch the downstream representation (all target tokens flattened, as
        :meth:`embed`), not the token mean, which is nearly constant even at initialisation."""
        return reps[TOKENS].flatten(1)

    @torch.no_grad()
    def embed(self, batch: Batch) -> Tensor:
        """Frozen target encoder output, flattened: ``(B, (n_cls + D) * H)``."""
        return self.target_encoder.flat(self._strip(batch))  # type: ignore[operator]


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
    pred_ffn_dim: int = 64,
    pred_activation: str = "gelu",
    pred_norm_first: bool = True,
    pred_dropout: float | None = None,
    ctx_range: tuple[float, float] = (0.136, 0.368),
    tgt_range: tuple[float, float] = (0.156, 0.622),
    num_targets: int = 4,
    token_std: float = INIT_STD,
) -> TJEPA:
    """A T-JEPA module: 16 x 64 encoder, 16 x 16 predictor, 1 [REG] (FFN / activation / norm: see TJEPAArgs)."""
    encoder = TJEPAEncoder(
        n_num, cardinalities, dim=dim, depth=depth, heads=heads, ffn_dim=ffn_dim, dropout=dropout, n_cls=n_cls,
        token_std=token_std,
    )  # fmt: skip
    predictor = JEPAPredictor(
        dim,
        pred_dim,
        encoder.n_tokens,
        depth=pred_depth,
        num_heads=pred_heads,
        dropout=dropout if pred_dropout is None else pred_dropout,
        pos_base=POSITION_BASE,
        ffn_dim=pred_ffn_dim,
        activation=pred_activation,
        norm_first=pred_norm_first,
    )
    trunc_normal_init_(predictor)
    masks = tjepa_masks(
        n_num + len(cardinalities),
        n_cls=n_cls,
        ctx_range=ctx_range,
        tgt_range=tgt_range,
        num_targets=num_targets,
    )
    return TJEPA(encoder, predictor, masks)


def token_init_std(args: TJEPAArgs) -> float:
    """``args.token_std``, by default ``DEFAULT_TOKEN_STD`` (1.0) instead of T-JEPA's 0.02.

    With 0.02 the sinusoidal position codes (norm ~4) dwarf the value part of every token, so each
    row starts as (almost) the same point. On a few hundred rows training never moves it away; on the
    full Adult table the embedded default ends there too (RankMe of the flat 480-d representation
    1.4-1.6, normalised std 0.007, the collapse alarm firing from step 100 on), although a probe that
    standardises its inputs still reads the tiny differences. Unit-scale tokens start input-dependent
    and stay so (RankMe 25-34), at the same probe accuracy (``docs/benchmarks.md``, "Token
    initialisation"; ``bench/tabular_token_init.py``).
    """
    return DEFAULT_TOKEN_STD if args.token_std is None else args.token_std


def build_module(args: TJEPAArgs, data: PreparedTable) -> TJEPA:
    """The recipe's module phase: T-JEPA sized by ``args`` over the fitted table's feature columns.

    Raises:
        DataError: fewer than two feature columns (context and target masks need one each).
    """
    prep = data.prep
    features = len(prep.schema.numeric) + len(prep.cardinalities)
    if features < 2:
        raise DataError(args.data or data.name, "<columns>",
                        f"T-JEPA needs at least 2 feature columns besides the target, found {features}")  # fmt: skip
    return build_tjepa(
        len(prep.schema.numeric), prep.cardinalities,
        dim=args.dim, depth=args.depth, heads=args.heads, ffn_dim=args.ffn_dim, dropout=args.dropout,
        n_cls=args.n_cls, pred_dim=args.pred_dim, pred_depth=args.pred_depth, pred_heads=args.pred_heads,
        pred_ffn_dim=args.pred_ffn_dim, pred_activation=args.pred_activation,
        pred_norm_first=args.pred_norm_first, pred_dropout=args.pred_dropout,
        ctx_range=(args.ctx_range[0], args.ctx_range[1]), tgt_range=(args.tgt_range[0], args.tgt_range[1]),
        num_targets=args.num_targets, token_std=token_init_std(args),
    )  # fmt: skip
