"""The Uni4Eye encoder: a unified patch embedding (2D and 3D) in front of one shared ViT.

Cai et al., "Uni4Eye", MICCAI 2022 (arXiv 2203.04614), section 2.1: the **Unified Patch Embedding**
holds a ``Conv2d(p x p, stride p)`` for 2D images and a ``Conv3d(p x p x p, stride p)`` for 3D volumes;
the input's dimensionality picks the branch, each dimensionality has its own position table, and the
transformer blocks after it are **shared** by 2D and 3D inputs. Pre-norm blocks with GELU and a final
LayerNorm, as MAE's ViT (He et al., 2022). Inputs are batches holding ``"image"`` ``(B, 1, H, W)`` or
``"volume"`` ``(B, 1, D, H, W)``; the pooled representation is the mean of the patch tokens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import Tensor, nn

from ssl_core.interfaces import Encoder
from ssl_core.nn import FastTransformerEncoder
from ssl_plugin_medical.patches import grid_positions, grid_shape

#: Batch key of each dimensionality.
KEYS = {2: "image", 3: "volume"}


def transformer(dim: int, depth: int, heads: int, mlp_ratio: float = 4.0) -> FastTransformerEncoder:
    """``depth`` pre-norm GELU blocks of width ``dim`` (batch first)."""
    layer = nn.TransformerEncoderLayer(
        dim, heads, int(dim * mlp_ratio), dropout=0.0, activation="gelu", batch_first=True, norm_first=True
    )
    return FastTransformerEncoder(layer, depth)


class UnifiedPatchEmbed(nn.Module):
    """Conv2d / Conv3d patch projections and fixed sin-cos position tables, one per dimensionality.

    Args:
        dim: token width.
        patch: patch side ``p`` of the 2D branch (and of the 3D one unless ``patch_3d`` is given).
        size: input side (images ``size x size``, volumes ``size ** 3``); fixes the position tables.
        dims: which dimensionalities the module holds (``(2, 3)`` for Uni4Eye's joint model).
        patch_3d: patch side of the 3D branch (the paper uses one ``p``; see the README).
    """

    def __init__(
        self, dim: int, patch: int, size: int, dims: Sequence[int] = (2, 3), patch_3d: int | None = None
    ) -> None:
        super().__init__()
        if not dims or any(d not in KEYS for d in dims):
            raise ValueError(f"dims must be a non-empty subset of (2, 3), got {tuple(dims)}")
        self.size, self.dims = size, tuple(sorted(set(dims)))
        self.patches = {2: patch, 3: patch if patch_3d is None else patch_3d}
        self.proj = nn.ModuleDict()
        for d in self.dims:
            conv = nn.Conv2d if d == 2 else nn.Conv3d
            self.proj[f"{d}d"] = conv(1, dim, kernel_size=self.patches[d], stride=self.patches[d])
            self.register_buffer(f"pos_{d}d", grid_positions(self.grid(d), dim)[None], persistent=False)

    def patch(self, ndim: int) -> int:
        """The patch side of the ``ndim``-D branch."""
        return self.patches[ndim]

    def grid(self, ndim: int) -> tuple[int, ...]:
        """The patch grid of a ``ndim``-dimensional input."""
        return grid_shape((self.size,) * ndim, self.patches[ndim])

    def forward(self, x: Tensor) -> Tensor:
        """``(B, 1, *S)`` -> ``(B, L, dim)`` tokens with their position embedding added."""
        ndim = x.dim() - 2
        if ndim not in self.dims:
            raise ValueError(f"this model holds {self.dims}-D patch embeddings, got a {ndim}-D input")
        if tuple(x.shape[2:]) != (self.size,) * ndim:
            raise ValueError(f"expected a {(self.size,) * ndim} input, got {tuple(x.shape[2:])}")
        tokens = self.proj[f"{ndim}d"](x).flatten(2).transpose(1, 2)
        return tokens + self.positions(ndim)

    def positions(self, ndim: int) -> Tensor:
        """The ``(1, L, dim)`` position table of the ``ndim``-D branch."""
        return getattr(self, f"pos_{ndim}d")  # type: ignore[no-any-return]


def input_of(batch: Mapping[str, Tensor]) -> Tensor:
    """The batch's ``"image"`` or ``"volume"`` (exactly one must be present) as float."""
    present = [k for k in KEYS.values() if k in batch]
    if len(present) != 1:
        raise KeyError(f"expected exactly one of 'image' / 'volume' in the batch, got {sorted(batch)}")
    return batch[present[0]].float()


class UnifiedViT(Encoder):
    """UPE + shared transformer blocks + LayerNorm; ``forward`` encodes all patches (no masking).

    Args:
        dim, depth, heads: the shared ViT.
        patch, size, dims, patch_3d: see :class:`UnifiedPatchEmbed`.
    """

    def __init__(
        self, dim: int = 64, depth: int = 4, heads: int = 4, *, patch: int = 4, size: int = 28,
        dims: Sequence[int] = (2, 3), patch_3d: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.output_dim = dim
        self.embed = UnifiedPatchEmbed(dim, patch, size, dims, patch_3d)
        self.blocks = transformer(dim, depth, heads)
        self.norm = nn.LayerNorm(dim)
        self.apply(_init)

    def encode_tokens(self, tokens: Tensor) -> Tensor:
        """Shared blocks + final norm over ``(B, n, dim)`` (already embedded) tokens."""
        return self.norm(self.blocks(tokens))

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """``{"tokens": (B, L, dim), "pooled": (B, dim)}`` of the batch's image or volume."""
        tokens = self.encode_tokens(self.embed(input_of(batch)))
        return {"tokens": tokens, "pooled": tokens.mean(dim=1)}


def _init(m: nn.Module) -> None:
    """MAE's initialisation: Xavier-uniform linear / conv weights (conv as flattened linear), zero biases."""
    if isinstance(m, (nn.Linear, nn.Conv2d, nn.Conv3d)):
        w = m.weight.data
        torch.nn.init.xavier_uniform_(w.view(w.shape[0], -1))
        if m.bias is not None:
            nn.init.zeros_(m.bias)
