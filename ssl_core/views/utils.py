"""Small helpers shared by the view generators: device lookup, mask broadcasting, row-wise choice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import Tensor

from ssl_core.nn.sequence import lengths_to_mask


def batch_device(batch: Mapping[str, Any]) -> torch.device:
    """Device of the first tensor in ``batch`` (CPU when there is none)."""
    for value in batch.values():
        if isinstance(value, Tensor):
            return value.device
    return torch.device("cpu")


def get_tensor(batch: Mapping[str, Any], key: str, who: str) -> Tensor:
    """``batch[key]`` as a tensor, or a ``KeyError`` naming the generator and the available keys."""
    value = batch.get(key)
    if not isinstance(value, Tensor):
        raise KeyError(f"{who}: batch has no tensor {key!r} (keys: {sorted(batch)})")
    return value


def broadcast_mask(mask: Tensor, x: Tensor, axis: int) -> Tensor:
    """Reshape a ``(B, L)`` mask over ``x``'s dimension ``axis`` so it broadcasts against ``x``."""
    axis = axis % x.ndim
    if axis == 0:
        raise ValueError("the mask axis must not be the batch axis 0")
    shape = [1] * x.ndim
    shape[0], shape[axis] = mask.shape[0], mask.shape[1]
    return mask.reshape(shape)


def apply_mask(x: Tensor, mask: Tensor, axis: int, fill: float | Tensor = 0.0) -> Tensor:
    """``x`` with the positions where the ``(B, L)`` ``mask`` is True (along ``axis``) set to ``fill``."""
    m = broadcast_mask(mask, x, axis)
    if isinstance(fill, Tensor):
        return torch.where(m, fill.to(x.dtype), x)
    return x.masked_fill(m, fill)


def valid_positions(lengths: Tensor | None, batch_size: int, length: int, device: torch.device) -> Tensor:
    """``(B, L)`` bool: position ``t < lengths[b]`` (``lengths_to_mask``); all True when ``lengths`` is None."""
    if lengths is None:
        return torch.ones(batch_size, length, dtype=torch.bool, device=device)
    return lengths_to_mask(lengths.to(device), length)


def choose_k_per_row(allowed: Tensor, k: Tensor, generator: torch.Generator | None) -> Tensor:
    """``(B, L)`` bool with ``k[b]`` positions chosen uniformly without replacement among ``allowed[b]``."""
    scores = torch.rand(allowed.shape, generator=generator, device=allowed.device)
    scores = scores.masked_fill(~allowed, 2.0)
    order = scores.argsort(dim=1)
    rank_ok = torch.arange(allowed.shape[1], device=allowed.device).unsqueeze(0) < k.unsqueeze(1)
    return torch.zeros_like(allowed).scatter(1, order, rank_ok) & allowed
