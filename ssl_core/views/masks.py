"""Pure mask samplers over a token axis: random, block and span masking.

* Random masking: exactly ``round(ratio * L)`` uniformly chosen positions per row (MAE, He et al. 2022).
* Block masking: one contiguous block of ``round(ratio * L)`` positions per row (block-wise masking,
  BEiT / CAE; the time-block form of TERA).
* Span masking: ``round(ratio * L / span)`` start positions per row, each masking ``span`` consecutive
  positions; spans may overlap so slightly fewer than ``ratio * L`` positions are covered (wav2vec 2.0,
  Baevski et al. 2020; TERA time alteration, Liu et al. 2021, with ratio 0.15 and span 7).

All return a ``(B, L)`` bool tensor (True = masked) on ``device``, drawn from ``generator`` and
respecting optional per-row ``lengths`` (positions ``>= lengths[b]`` are never masked).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.views.utils import choose_k_per_row, valid_positions


def _lengths(lengths: Tensor | None, batch_size: int, length: int, device: torch.device) -> Tensor:
    if lengths is None:
        return torch.full((batch_size,), length, dtype=torch.long, device=device)
    return lengths.to(device).long().clamp(0, length)


def _check_ratio(ratio: float) -> None:
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"mask ratio must be in [0, 1], got {ratio}")


def random_mask(
    batch_size: int,
    length: int,
    ratio: float,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    lengths: Tensor | None = None,
) -> Tensor:
    """Mask exactly ``round(ratio * length_b)`` uniformly random positions of every row."""
    _check_ratio(ratio)
    dev = torch.device(device) if device is not None else torch.device("cpu")
    lens = _lengths(lengths, batch_size, length, dev)
    k = torch.round(lens.double() * ratio).long()
    return choose_k_per_row(valid_positions(lens, batch_size, length, dev), k, generator)


def block_mask(
    batch_size: int,
    length: int,
    ratio: float,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    lengths: Tensor | None = None,
) -> Tensor:
    """Mask one contiguous block of ``round(ratio * length_b)`` positions at a uniform start per row."""
    _check_ratio(ratio)
    dev = torch.device(device) if device is not None else torch.device("cpu")
    lens = _lengths(lengths, batch_size, length, dev)
    size = torch.round(lens.double() * ratio).long()
    u = torch.rand(batch_size, generator=generator, device=dev)
    start = (u * (lens - size + 1).double()).floor().long()
    pos = torch.arange(length, device=dev).unsqueeze(0)
    return (pos >= start.unsqueeze(1)) & (pos < (start + size).unsqueeze(1))


def span_mask(
    batch_size: int,
    length: int,
    ratio: float,
    span: int,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
    lengths: Tensor | None = None,
) -> Tensor:
    """Mask ``round(ratio * length_b / span)`` possibly overlapping spans of ``span`` positions per row."""
    _check_ratio(ratio)
    if span < 1:
        raise ValueError(f"span must be >= 1, got {span}")
    dev = torch.device(device) if device is not None else torch.device("cpu")
    lens = _lengths(lengths, batch_size, length, dev)
    n_starts = torch.round(lens.double() * ratio / span).long()
    allowed = valid_positions((lens - span + 1).clamp_min(1), batch_size, length, dev)
    starts = choose_k_per_row(allowed, n_starts, generator).float().unsqueeze(1)
    covered = F.max_pool1d(F.pad(starts, (span - 1, 0)), kernel_size=span, stride=1).squeeze(1) > 0
    return covered & valid_positions(lens, batch_size, length, dev)
