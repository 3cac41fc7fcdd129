"""MAE's per-sample random masking (He et al., 2022), as Uni4Eye uses it (Cai et al., MICCAI 2022).

Each sample draws uniform noise per patch; the ``int(L * (1 - ratio))`` patches with the smallest
noise stay visible and are the only ones encoded.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor


class Masking(NamedTuple):
    """``keep``: ``(B, K)`` visible patch indices; ``mask``: ``(B, L)`` 1 = masked; ``restore``: ``(B, L)``."""

    keep: Tensor
    mask: Tensor
    restore: Tensor


def random_masking(batch: int, length: int, ratio: float, generator: torch.Generator | None = None,
                   device: torch.device | str = "cpu") -> Masking:  # fmt: skip
    """Draw a :class:`Masking` of ``length`` patches for each of ``batch`` samples.

    Raises:
        ValueError: ``ratio`` outside ``[0, 1)`` or no patch left visible.
    """
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f"mask ratio must be in [0, 1), got {ratio}")
    n_keep = int(length * (1 - ratio))
    if n_keep < 1:
        raise ValueError(f"mask ratio {ratio} leaves no visible patch out of {length}")
    noise = torch.rand(batch, length, generator=generator, device=device)
    shuffle = noise.argsort(dim=1)
    restore = shuffle.argsort(dim=1)
    mask = torch.ones(batch, length, device=device)
    mask[:, :n_keep] = 0
    return Masking(shuffle[:, :n_keep], mask.gather(1, restore), restore)


def take(tokens: Tensor, index: Tensor) -> Tensor:
    """``tokens[b, index[b]]`` for ``(B, L, D)`` tokens and ``(B, K)`` indices -> ``(B, K, D)``."""
    return tokens.gather(1, index[..., None].expand(-1, -1, tokens.shape[-1]))
