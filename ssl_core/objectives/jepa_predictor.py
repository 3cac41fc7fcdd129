"""The JEPA predictor: context latents + target positions -> predicted target latents.

Assran, Duval, Misra et al., 2023, "Self-Supervised Learning from Images with a Joint-Embedding
Predictive Architecture" (I-JEPA), arXiv 2301.08243; Thimonier, De Melo Costa, Popineau, Rimmel,
Doan, 2025, "T-JEPA: Augmentation-Free Self-Supervised Learning for Tabular Data", arXiv 2410.05016.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ssl_core.nn.positional import sinusoidal_positions
from ssl_core.nn.transformer import FastTransformerEncoder


def gather_tokens(tokens: Tensor, index: Tensor) -> Tensor:
    """``out[b, i] = tokens[b, index[b, i]]`` for ``(B, T, H)`` tokens and a ``(B, N)`` long index."""
    return tokens.gather(1, index.unsqueeze(-1).expand(-1, -1, tokens.shape[-1]))


class JEPAPredictor(nn.Module):
    """Predict target-token latents from context-token latents and the targets' positions.

    ``x = [Linear(H -> Hp)(ctx) + pos(ctx_idx) ; m + pos(tgt_idx)]`` (``m`` a learned mask token,
    ``pos`` fixed sin-cos positions), then a pre-norm transformer (``nn.TransformerEncoder`` layers run by
    :class:`ssl_core.nn.transformer.FastTransformerEncoder`) of ``depth`` layers, ``LayerNorm`` and
    ``Linear(Hp -> H)``; only the target positions are returned.

    Args:
        embed_dim: encoder width ``H``.
        predictor_dim: predictor width ``Hp`` (16 in T-JEPA).
        num_positions: number of token positions (indices lie in ``[0, num_positions)``).
        depth: transformer layers.
        num_heads: attention heads (must divide ``predictor_dim``).
        mlp_ratio: feed-forward width / ``Hp``.
        dropout: dropout inside the transformer.
        pos_base: base of the sin-cos positions.
        ffn_dim: feed-forward width; overrides ``mlp_ratio`` when given (the official T-JEPA
            predictor: 256 at ``Hp = 16``).
        activation: feed-forward activation, ``"gelu"`` (I-JEPA) or ``"relu"`` (official T-JEPA).
        norm_first: pre-norm layers (I-JEPA) or post-norm (``False``, official T-JEPA).

    Raises:
        ValueError: on non-positive sizes or ``predictor_dim`` not divisible by ``num_heads``.
    """

    positions: Tensor

    def __init__(
        self,
        embed_dim: int,
        predictor_dim: int,
        num_positions: int,
        depth: int = 4,
        num_heads: int = 4,
        mlp_ratio: float = 4.0,
        dropout: float = 0.0,
        pos_base: float = 10000.0,
        *,
        ffn_dim: int | None = None,
        activation: str = "gelu",
        norm_first: bool = True,
    ) -> None:
        super().__init__()
        if min(embed_dim, predictor_dim, num_positions, depth, num_heads) < 1:
            raise ValueError(
                "JEPAPredictor: embed_dim, predictor_dim, num_positions, depth, num_heads must be >= 1"
            )
        if predictor_dim % num_heads:
            raise ValueError(
                f"JEPAPredictor: predictor_dim {predictor_dim} not divisible by num_heads {num_heads}"
            )
        self.embed_dim, self.predictor_dim, self.num_positions = embed_dim, predictor_dim, num_positions
        self.embed = nn.Linear(embed_dim, predictor_dim)
        self.mask_token = nn.Parameter(torch.zeros(predictor_dim))
        nn.init.trunc_normal_(self.mask_token, std=0.02)
        self.register_buffer(
            "positions", sinusoidal_positions(num_positions, predictor_dim, pos_base), persistent=False
        )
        layer = nn.TransformerEncoderLayer(
            predictor_dim,
            num_heads,
            dim_feedforward=ffn_dim if ffn_dim is not None else max(1, int(predictor_dim * mlp_ratio)),
            dropout=dropout,
            activation=activation,
            batch_first=True,
            norm_first=norm_first,
        )
        self.blocks = FastTransformerEncoder(layer, depth)
        self.norm = nn.LayerNorm(predictor_dim)
        self.proj = nn.Linear(predictor_dim, embed_dim)

    def _check(self, context: Tensor, context_idx: Tensor, target_idx: Tensor) -> None:
        if context.dim() != 3 or context.shape[-1] != self.embed_dim:
            raise ValueError(
                f"JEPAPredictor: context must be (B, Nc, {self.embed_dim}), got {tuple(context.shape)}"
            )
        if (
            context_idx.shape != context.shape[:2]
            or target_idx.dim() != 2
            or target_idx.shape[0] != context.shape[0]
        ):
            raise ValueError(
                f"JEPAPredictor: context_idx must be {tuple(context.shape[:2])} and target_idx (B, Nt), got "
                f"{tuple(context_idx.shape)} and {tuple(target_idx.shape)}"
            )
        for name, idx in (("context_idx", context_idx), ("target_idx", target_idx)):
            if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= self.num_positions):
                raise ValueError(f"JEPAPredictor: {name} outside [0, {self.num_positions})")

    def forward(self, context: Tensor, context_idx: Tensor, target_idx: Tensor) -> Tensor:
        """Predict ``(B, Nt, H)`` latents at ``target_idx`` from ``(B, Nc, H)`` context latents."""
        self._check(context, context_idx, target_idx)
        ctx = self.embed(context) + self.positions[context_idx]
        queries = self.mask_token + self.positions[target_idx]
        x = self.blocks(torch.cat([ctx, queries], dim=1))
        return self.proj(self.norm(x[:, context.shape[1] :]))
