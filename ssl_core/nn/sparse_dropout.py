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


class _ReluMask(torch.autograd.Function):
    """``relu(x)`` with the dropped elements zeroed, in place on ``x``, *unscaled*.

    Saves only the output: ``d out / d x = 1[out > 0]`` (zero where ReLU or dropout zeroed it).
    """

    @staticmethod
    def forward(ctx: Any, x: Tensor, p: float) -> Tensor:
        out = x.relu_()
        out.view(-1).index_fill_(0, dropped_positions(out.numel(), p, out.device), 0.0)
        ctx.mark_dirty(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        (out,) = ctx.saved_tensors
        return torch.ops.aten.threshold_backward(grad, out, 0.0), None


def relu_dropout_(x: Tensor, p: float, training: bool = True) -> tuple[Tensor, float]:
    """``(m, s)`` with ``m * s = dropout(relu(x), p)`` in distribution, in place on a contiguous ``x``.

    ``x`` must be a tensor nothing else reads (e.g. a linear layer's fresh output). The dropout scale
    ``s = 1 / (1 - p)`` is returned rather than applied, so the caller can fold it into the next
    (small) weight matrix instead of a pass over the large activation: ``linear(m, s W) = linear(m s, W)``.
    One pass and one saved tensor instead of ReLU's and dropout's.
    """
    if not training or p == 0.0:
        return x.relu_(), 1.0
    if p > SPARSE_MAX_P or not x.is_contiguous():
        return F.dropout(x.relu_(), p, training), 1.0
    return _ReluMask.apply(x, p), 1.0 / (1.0 - p)


def sparse_dropout(x: Tensor, p: float, training: bool = True) -> Tensor:
    """``F.dropout(x, p, training)`` in distribution; draws ``~n p`` numbers when ``p <= SPARSE_MAX_P``."""
    if not training or p == 0.0:
        return x
    if p > SPARSE_MAX_P or p >= 1.0:
        return F.dropout(x, p, training)
    return _SparseDropout.apply(x, p)  # type: ignore[no-any-return]
