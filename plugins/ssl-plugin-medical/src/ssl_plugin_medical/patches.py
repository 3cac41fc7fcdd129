"""Patches of images and volumes: patchify / unpatchify and the fixed sin-cos grid position tables.

The token order is the order of ``Conv2d`` / ``Conv3d`` outputs flattened (row-major over the patch
grid), so a token's pixels are ``patchify(x)[:, token]``. The position tables are MAE's fixed sin-cos
embeddings (He et al., 2022) generalised to any number of axes: the width is split between the
axes and each axis gets a 1D sin-cos table of its grid coordinate (Uni4Eye, Cai et al., MICCAI 2022,
keeps one table per dimensionality).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.nn import sinusoidal_positions


def grid_shape(spatial: tuple[int, ...], patch: int) -> tuple[int, ...]:
    """The patch grid of a ``spatial`` size; every side must be a multiple of ``patch``.

    Raises:
        ValueError: a side is not a positive multiple of ``patch``.
    """
    if any(s < patch or s % patch for s in spatial):
        raise ValueError(f"input size {tuple(spatial)} is not a multiple of the patch size {patch}")
    return tuple(s // patch for s in spatial)


def patchify(x: Tensor, patch: int) -> Tensor:
    """``(B, 1, *S)`` (2 or 3 spatial axes) -> ``(B, L, patch ** len(S))`` in token order."""
    b, spatial = x.shape[0], tuple(x.shape[2:])
    grid = grid_shape(spatial, patch)
    k = len(spatial)
    shape = [b]
    for g in grid:
        shape += [g, patch]
    y = x.reshape(*shape)  # (B, g1, p, g2, p[, g3, p])
    order = [0, *range(1, 2 * k, 2), *range(2, 2 * k + 1, 2)]
    return y.permute(*order).reshape(b, -1, patch**k)


def unpatchify(tokens: Tensor, grid: tuple[int, ...], patch: int) -> Tensor:
    """Inverse of :func:`patchify`: ``(B, L, patch ** k)`` -> ``(B, 1, *(g * patch))``."""
    b, k = tokens.shape[0], len(grid)
    y = tokens.reshape(b, *grid, *([patch] * k))
    order = [0]
    for i in range(k):
        order += [1 + i, 1 + k + i]
    return y.permute(*order).reshape(b, 1, *(g * patch for g in grid))


def grid_positions(grid: tuple[int, ...], dim: int) -> Tensor:
    """``(prod(grid), dim)`` fixed sin-cos table: one sin-cos block per axis (last block takes the rest)."""
    k = len(grid)
    widths = [dim // k] * (k - 1) + [dim - (dim // k) * (k - 1)]
    coords = torch.meshgrid(*(torch.arange(g) for g in grid), indexing="ij")
    parts = [sinusoidal_positions(g, w)[c.reshape(-1)] for g, w, c in zip(grid, widths, coords)]
    return torch.cat(parts, dim=1)
