"""T-JEPA's feature tokenizer and transformer encoder (Thimonier et al., ICLR 2025, arXiv 2410.05016).

Tokenizer (FT-Transformer style, Gorishniy et al., NeurIPS 2021): numeric feature ``j`` becomes
``x_j W_j + b_j``; categorical feature ``j`` with code ``c`` becomes ``E_j[c] + b_j``; ``n_cls``
regularisation tokens [REG] (constant input 1 times a learned weight, no bias) are prepended. Sinusoidal
positions (base 100) are added to all ``n_cls + D`` tokens. The encoder is a post-LN transformer with
ReLU followed by the paper's output stack ``dropout -> LayerNorm -> Linear(H, H) -> dropout -> LayerNorm``.
The layers run through the core's ``FastTransformerEncoder`` (same parameters, faster
attention for tiny heads). Everything stays tensorised (the official code one-hot encodes with scikit-learn on each forward pass).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, Encoder
from ssl_core.nn import FastTransformerEncoder, sinusoidal_positions

POSITION_BASE = 100.0
INIT_STD = 0.02
CONTEXT_KEY = "context_idx"


def trunc_normal_init_(module: nn.Module, std: float = INIT_STD) -> None:
    """T-JEPA's initialisation: truncated normal (sigma 0.02) weights, zero biases, unit LayerNorms."""
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


class FeatureTokenizer(nn.Module):
    """Numeric + categorical features -> ``(B, n_cls + D, H)`` tokens.

    Args:
        n_num: number of numeric features.
        cardinalities: embedding rows per categorical feature (index 0 = unseen category).
        dim: token width ``H``.
        n_cls: number of [REG] tokens prepended.
        init_std: std of the truncated-normal initial token weights (T-JEPA: 0.02).
    """

    cat_offsets: Tensor
    cat_sizes: Tensor

    def __init__(
        self, n_num: int, cardinalities: Sequence[int], dim: int, n_cls: int = 1, init_std: float = INIT_STD
    ) -> None:
        super().__init__()
        if n_num + len(cardinalities) == 0:
            raise ValueError("FeatureTokenizer needs at least one feature")
        if n_cls < 0 or dim < 1:
            raise ValueError(f"FeatureTokenizer: n_cls must be >= 0 and dim >= 1, got {n_cls}, {dim}")
        self.n_num, self.n_cat, self.n_cls, self.dim = n_num, len(cardinalities), n_cls, dim
        self.num_weight = nn.Parameter(torch.empty(n_num, dim))
        self.num_bias = nn.Parameter(torch.zeros(n_num, dim))
        self.cat_embed = nn.Embedding(max(sum(cardinalities), 1), dim)
        self.cat_bias = nn.Parameter(torch.zeros(len(cardinalities), dim))
        offsets = (
            torch.tensor([0, *cardinalities[:-1]], dtype=torch.long).cumsum(0)
            if cardinalities
            else torch.zeros(0)
        )
        self.register_buffer("cat_offsets", offsets.long(), persistent=False)
        self.register_buffer(
            "cat_sizes", torch.tensor(list(cardinalities), dtype=torch.long), persistent=False
        )
        self.reg_weight = nn.Parameter(torch.empty(n_cls, dim))
        for p in (self.num_weight, self.cat_embed.weight, self.reg_weight):
            nn.init.trunc_normal_(p, std=init_std)  # cut at +-2 (absolute)

    @property
    def n_tokens(self) -> int:
        """``n_cls + D``."""
        return self.n_cls + self.n_num + self.n_cat

    def forward(self, x_num: Tensor, x_cat: Tensor) -> Tensor:
        """Tokens ``(B, n_cls + n_num + n_cat, H)`` with [REG] first, then numeric, then categorical."""
        batch = x_num.shape[0] if self.n_num else x_cat.shape[0]
        parts = [self.reg_weight.unsqueeze(0).expand(batch, -1, -1)]
        if self.n_num:
            parts.append(x_num.unsqueeze(-1) * self.num_weight + self.num_bias)
        if self.n_cat:
            codes = torch.where((x_cat >= 0) & (x_cat < self.cat_sizes), x_cat, torch.zeros_like(x_cat))
            parts.append(self.cat_embed(codes + self.cat_offsets) + self.cat_bias)
        return torch.cat(parts, dim=1)


class TJEPAEncoder(Encoder):
    """T-JEPA context / target encoder: tokenizer + positions + post-LN transformer + output stack.

    Args:
        n_num: numeric features.
        cardinalities: categorical embedding sizes.
        dim: token width ``H`` (64 in the paper's launch scripts).
        depth: transformer layers (16 in the paper).
        heads: attention heads (2 in the paper).
        ffn_dim: feed-forward width (64 in the paper).
        dropout: dropout inside the transformer and the output stack.
        n_cls: number of [REG] tokens.
        token_std: std of the initial token weights (:class:`FeatureTokenizer`).

    ``forward(batch)`` reads ``x_num`` ``(B, n_num)`` and ``x_cat`` ``(B, n_cat)``; with
    ``batch["context_idx"]`` ``(B, k)`` only those token positions are encoded (the context encoder sees
    the context tokens only). Output: ``tokens`` ``(B, k, H)`` and ``pooled`` (their mean, ``(B, H)``).
    :meth:`flat` gives the paper's downstream representation, the flattened ``(n_cls + D) * H`` output.
    """

    def __init__(
        self,
        n_num: int,
        cardinalities: Sequence[int],
        *,
        dim: int = 64,
        depth: int = 16,
        heads: int = 2,
        ffn_dim: int = 64,
        dropout: float = 0.0,
        n_cls: int = 1,
        token_std: float = INIT_STD,
    ) -> None:
        super().__init__()
        self.tokenizer = FeatureTokenizer(n_num, cardinalities, dim, n_cls, token_std)
        layer = nn.TransformerEncoderLayer(
            dim, heads, ffn_dim, dropout, activation="relu", batch_first=True, norm_first=False
        )
        self.transformer = FastTransformerEncoder(layer, depth)
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.LayerNorm(dim),
            nn.Linear(dim, dim),
            nn.Dropout(dropout),
            nn.LayerNorm(dim),
        )
        self.register_buffer(
            "positions", sinusoidal_positions(self.tokenizer.n_tokens, dim, POSITION_BASE), persistent=False
        )
        self.output_dim = dim
        trunc_normal_init_(self.transformer)
        trunc_normal_init_(self.head)

    @property
    def n_tokens(self) -> int:
        """Sequence length of a full row: ``n_cls + D``."""
        return self.tokenizer.n_tokens

    @property
    def flat_dim(self) -> int:
        """Width of :meth:`flat`: ``(n_cls + D) * H``."""
        return self.n_tokens * self.output_dim

    def encode_tokens(self, x_num: Tensor, x_cat: Tensor, token_idx: Tensor | None = None) -> Tensor:
        """``(B, k, H)`` encoder outputs at ``token_idx`` (all ``n_cls + D`` tokens when ``None``)."""
        tokens = self.tokenizer(x_num, x_cat) + self.positions
        if token_idx is not None:
            tokens = torch.gather(tokens, 1, token_idx.unsqueeze(-1).expand(-1, -1, tokens.shape[-1]))
        return self.head(self.transformer(tokens))

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        tokens = self.encode_tokens(batch["x_num"], batch["x_cat"], batch.get(CONTEXT_KEY))
        return {TOKENS: tokens, POOLED: tokens.mean(dim=1)}

    def flat(self, batch: Mapping[str, Tensor]) -> Tensor:
        """The paper's downstream features: all ``n_cls + D`` output tokens flattened, ``(B, (n_cls + D) H)``."""
        return self.encode_tokens(batch["x_num"], batch["x_cat"]).flatten(1)
