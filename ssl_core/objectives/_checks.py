"""Input validation and gathering shared by the embedding objectives (pure helpers)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import Tensor

from ssl_core import distributed


def check_views(name: str, views: Sequence[Tensor], *, exactly: int | None = None, at_least: int = 2) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``views`` are equally shaped ``(B, D)`` tensors.

    Args:
        name: objective name used in the message.
        views: per-view embeddings.
        exactly: required number of views, if fixed.
        at_least: minimum number of views otherwise.
    """
    count = len(views)
    if exactly is not None and count != exactly:
        raise ValueError(f"{name}: expected exactly {exactly} views, got {count}")
    if count < at_least:
        raise ValueError(f"{name}: expected at least {at_least} views, got {count}")
    first = views[0]
    for i, view in enumerate(views):
        if not isinstance(view, Tensor) or view.dim() != 2:
            shape = tuple(view.shape) if isinstance(view, Tensor) else type(view).__name__
            raise ValueError(f"{name}: view {i} must be a (batch, dim) tensor, got {shape}")
        if view.shape != first.shape:
            raise ValueError(
                f"{name}: view {i} has shape {tuple(view.shape)}, view 0 has {tuple(first.shape)}"
            )
    if first.shape[0] < 1:
        raise ValueError(f"{name}: empty batch")


def gather_rows(t: Tensor, enabled: bool) -> tuple[Tensor, int]:
    """Gather ``t`` over ranks with gradients (when ``enabled``) and return it with this rank's row offset.

    Follows the convention of :func:`ssl_core.distributed.gather_with_grad`: equal local batch sizes,
    rank ``r``'s rows at ``[r * B, (r + 1) * B)`` of the result.
    """
    if not enabled or distributed.world_size() <= 1:
        return t, 0
    return distributed.gather_with_grad(t.contiguous()), distributed.rank() * t.shape[0]


def detached_metrics(**values: Tensor | float) -> dict[str, Tensor]:
    """Detached scalar tensors for logging (floats are wrapped)."""
    return {k: (v.detach() if isinstance(v, Tensor) else torch.tensor(float(v))) for k, v in values.items()}


@contextmanager
def full_precision(device: torch.device) -> Iterator[None]:
    """Disable autocast on ``device`` so batch statistics and logits are computed in float32 or wider."""
    with torch.autocast(device_type=device.type, enabled=False):
        yield


def upcast(views: Sequence[Tensor]) -> list[Tensor]:
    """Views in float32 when they are half / bfloat16 (float32 and float64 are kept)."""
    return [v.float() if v.dtype in (torch.float16, torch.bfloat16) else v for v in views]
