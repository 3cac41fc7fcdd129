"""Variable-length data: valid-position masks from lengths, and masked pooling with one meaning.

Variable-length samples (utterances, frame sequences, volumes of varying depth, user histories ...)
are padded to a common length and carried with their lengths (see :func:`ssl_core.data.pad_collate`).
Throughout ssl-core a *valid* mask is ``True`` where a position holds real data and ``False`` on
padding; its dimensions are the leading dimensions of the data tensor it describes (``(B, T)`` for
``(B, T, D)`` features) and it broadcasts over the remaining (feature) dimensions.

* :func:`lengths_to_mask` - ``(B,)`` lengths -> ``(B, T)`` valid mask.
* :func:`masked_mean` - the mean of the valid entries (along ``dim``, or of all of them); 0 where
  there is none. Both pooling (``dim=1``: one vector per sample) and losses over selected positions
  (``dim=None``: one scalar) use it.
* :func:`masked_max` - the maximum of the valid entries along ``dim``; 0 where there is none.

None of these functions synchronises with the device except :func:`lengths_to_mask` without
``max_len`` (it reads ``lengths.max()``).
"""

from __future__ import annotations

import torch
from torch import Tensor

__all__ = ["lengths_to_mask", "masked_max", "masked_mean"]


def lengths_to_mask(lengths: Tensor, max_len: int | None = None) -> Tensor:
    """``(B, max_len)`` bool mask, ``True`` at position ``t`` of row ``b`` iff ``t < lengths[b]``.

    Args:
        lengths: ``(B,)`` integer lengths (on any device; the mask is made on the same device).
        max_len: number of positions; default ``lengths.max()`` (0 for an empty batch). Lengths
            above ``max_len`` give a full row, lengths ``<= 0`` an empty one.

    Raises:
        ValueError: ``lengths`` is not 1-d, or ``max_len`` is negative.
    """
    if lengths.dim() != 1:
        raise ValueError(f"lengths_to_mask: lengths must be (B,), got shape {tuple(lengths.shape)}")
    if max_len is None:
        max_len = int(lengths.max()) if lengths.numel() else 0
    if max_len < 0:
        raise ValueError(f"lengths_to_mask: max_len must be >= 0, got {max_len}")
    positions = torch.arange(max_len, device=lengths.device)
    return positions.unsqueeze(0) < lengths.unsqueeze(1)


def _expand(valid: Tensor, x: Tensor) -> Tensor:
    """``valid`` as a bool tensor of ``x``'s shape (its dimensions are ``x``'s leading ones)."""
    if valid.dim() > x.dim() or tuple(x.shape[: valid.dim()]) != tuple(valid.shape):
        raise ValueError(
            f"valid mask {tuple(valid.shape)} must match the leading dimensions of x {tuple(x.shape)}"
        )
    mask = valid if valid.dtype == torch.bool else valid != 0
    return mask.reshape(*mask.shape, *([1] * (x.dim() - mask.dim()))).expand(x.shape)


def masked_mean(x: Tensor, valid: Tensor | None, dim: int | tuple[int, ...] | None = None) -> Tensor:
    """Mean of the entries of ``x`` where ``valid`` is set, along ``dim`` (all dimensions when None).

    ``valid`` covers ``x``'s leading dimensions (``(B, T)`` for ``(B, T, D)``; bool, or nonzero =
    valid) and is broadcast over the rest; ``None`` means every entry is valid (the plain mean). Pooling frames into one vector per sample is
    ``masked_mean(x, valid, dim=1)`` -> ``(B, D)``; a loss averaged over the selected entries is
    ``masked_mean(errors, selected)`` -> scalar (each selected entry counts once, so a ``(B, T)``
    mask over ``(B, T, F)`` errors divides by ``F`` times the number of selected positions).

    Where nothing is valid the result is exactly 0 (not NaN), and the gradient is 0 there. Invalid
    entries never reach the result or its gradient, even when they hold NaN or inf.

    Raises:
        ValueError: ``valid`` does not match the leading dimensions of ``x``.
    """
    if valid is None:
        return x.mean() if dim is None else x.mean(dim)
    mask = _expand(valid, x)
    total = torch.where(mask, x, torch.zeros_like(x))
    count = mask.sum() if dim is None else mask.sum(dim)
    summed = total.sum() if dim is None else total.sum(dim)
    return summed / count.clamp(min=1).to(summed.dtype)


def masked_max(x: Tensor, valid: Tensor, dim: int) -> Tensor:
    """Maximum of the entries of ``x`` where ``valid`` is set, along ``dim``; 0 where none is valid.

    ``valid`` covers ``x``'s leading dimensions as in :func:`masked_mean` (``masked_max(x, valid,
    dim=1)`` max-pools ``(B, T, D)`` frames into ``(B, D)``). The gradient flows to the maximal valid
    entries only (shared evenly between ties); rows without a valid entry get 0 and no gradient.

    Raises:
        ValueError: ``valid`` does not match the leading dimensions of ``x``.
    """
    mask = _expand(valid, x)
    lowest = torch.finfo(x.dtype).min if x.is_floating_point() else torch.iinfo(x.dtype).min
    best = torch.where(mask, x, torch.full_like(x, lowest)).amax(dim)
    return torch.where(mask.any(dim), best, torch.zeros_like(best))
