"""Dropout for small rates that draws only the dropped positions (Srivastava et al., 2014, JMLR 15).

Dropout keeps each element independently with probability ``1 - p`` and scales it by ``1 / (1 - p)``.
``F.dropout`` draws one Bernoulli number per element; at the rates T-JEPA uses (p about 0.002) that
random-number generation is most of a forward pass on CPU. The positions of the dropped elements of
an i.i.d. Bernoulli(``p``) sequence are the partial sums of i.i.d. Geometric(``p``) gaps, so drawing
about ``n p`` gaps gives exactly the same distribution of masks with ``n p`` instead of ``n`` random
numbers (only the random stream differs from ``F.dropout``'s). The backward multiplies by the same mask.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

#: Above this rate the dense Bernoulli mask is cheaper (about ``n p`` gaps vs ``n`` numbers).
SPARSE_MAX_P = 0.05


def dropped_positions(numel: int, p: float, device: torch.device | str = "cpu") -> Tensor:
    """Flat indices of the dropped elements of an i.i.d. Bernoulli(``p``) mask over ``numel`` elements.

    Gaps between consecutive drops (and before the first) are Geometric(``p``) on ``{1, 2, ...}``;
    more gaps are drawn until their sum passes ``numel``.
    """
    expected = numel * p
    chunk = int(expected + 6.0 * math.sqrt(expected) + 16)
    parts: list[Tensor] = []
    end = torch.zeros((), dtype=torch.float64, device=device)
    while True:
        gaps = torch.empty(chunk, dtype=torch.float64, device=device).geometric_(p)
        pos = gaps.cumsum(0).add_(end)
        parts.append(pos)
        end = pos[-1]
        if float(end) > numel:  # usually once: the first chunk covers n with about 6 sigma to spare
            break
    pos = torch.cat(parts) if len(parts) > 1 else parts[0]
    return (pos[pos <= numel] - 1).long()


class _SparseDropout(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, p: float) -> Tensor:
        scale = 1.0 / (1.0 - p)
        out = x.mul(scale).contiguous()
        pos = dropped_positions(out.numel(), p, out.device)
        out.view(-1).index_fill_(0, pos, 0.0)
        ctx.save_for_backward(pos)
        ctx.scale = scale
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (pos,) = ctx.saved_tensors
        out = grad.mul(ctx.scale).contiguous()
        out.view(-1).index_fill_(0, pos, 0.0)
        return out, None


class _ReluDropout(torch.autograd.Function):
    """``dropout(relu(x))`` in place on ``x``; saves only the output: ``d out / d x = s 1[out > 0]``."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, p: float) -> Tensor:
        scale = 1.0 / (1.0 - p)
        out = x.relu_().mul_(scale)
        if p > 0.0:
            out.view(-1).index_fill_(0, dropped_positions(out.numel(), p, out.device), 0.0)
        ctx.mark_dirty(x)
        ctx.save_for_backward(out)
        ctx.scale = scale
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (out,) = ctx.saved_tensors
        return torch.ops.aten.threshold_backward(grad, out, 0.0).mul_(ctx.scale), None


def relu_dropout_(x: Tensor, p: float, training: bool = True) -> Tensor:
    """``dropout(relu(x), p)`` in distribution, computed in place on a contiguous ``x`` nothing else reads.

    One pass and one saved tensor instead of ReLU's and dropout's (the output is zero exactly where
    ReLU or dropout zeroed it, which is all the backward needs).
    """
    if not training or p == 0.0:
        return x.relu_()
    if p > SPARSE_MAX_P or not x.is_contiguous():
        return F.dropout(x.relu_(), p, training)
    return _ReluDropout.apply(x, p)  # type: ignore[no-any-return]


def sparse_dropout(x: Tensor, p: float, training: bool = True) -> Tensor:
    """``F.dropout(x, p, training)`` in distribution; draws ``~n p`` numbers when ``p <= SPARSE_MAX_P``."""
    if not training or p == 0.0:
        return x
    if p > SPARSE_MAX_P or p >= 1.0:
        return F.dropout(x, p, training)
    return _SparseDropout.apply(x, p)  # type: ignore[no-any-return]
