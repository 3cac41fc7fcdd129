"""Fixed sinusoidal position encodings (Vaswani et al., 2017, "Attention Is All You Need", arXiv 1706.03762)."""

from __future__ import annotations

import math

import torch
from torch import Tensor


def sinusoidal_positions(
    n: int,
    dim: int,
    base: float = 10000.0,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype = torch.float32,
) -> Tensor:
    """Return the ``(n, dim)`` table of fixed sin-cos position encodings.

    Column ``2i`` holds ``sin(p / base^(2i/dim))`` and column ``2i+1`` holds ``cos(p / base^(2i/dim))``
    for position ``p``; an odd ``dim`` ends with a sine column.

    Args:
        n: number of positions (rows), ``>= 0``.
        dim: encoding width, ``>= 1``.
        base: wavelength base (``10000`` in the transformer paper, ``100`` in T-JEPA).
        device: device of the returned table.
        dtype: dtype of the returned table (computed in float64 first).

    Raises:
        ValueError: if ``n < 0``, ``dim < 1`` or ``base <= 1``.
    """
    if n < 0:
        raise ValueError(f"sinusoidal_positions: n must be >= 0, got {n}")
    if dim < 1:
        raise ValueError(f"sinusoidal_positions: dim must be >= 1, got {dim}")
    if not base > 1.0:
        raise ValueError(f"sinusoidal_positions: base must be > 1, got {base}")
    pos = torch.arange(n, dtype=torch.float64, device=device).unsqueeze(1)
    freqs = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64, device=device) * (-math.log(base) / dim))
    angles = pos * freqs
    table = torch.zeros(n, dim, dtype=torch.float64, device=device)
    table[:, 0::2] = torch.sin(angles)
    table[:, 1::2] = torch.cos(angles[:, : dim // 2])
    return table.to(dtype)
