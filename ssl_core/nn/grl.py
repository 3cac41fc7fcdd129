"""Gradient reversal layer (Ganin & Lempitsky, 2015, "Unsupervised Domain Adaptation by Backpropagation", arXiv 1409.7495).

Identity in the forward pass; multiplies the gradient by ``-lambd`` in the backward pass, so a single
optimizer minimises an adversary's loss while the features upstream *maximise* it.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn


class _GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Tensor, lambd: float) -> Tensor:
        ctx.lambd = lambd
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None]:
        return grad.neg() * ctx.lambd, None


def grad_reverse(x: Tensor, lambd: float = 1.0) -> Tensor:
    """Identity on ``x`` whose gradient is multiplied by ``-lambd``.

    Args:
        x: any tensor.
        lambd: reversal strength (``>= 0``); ``0`` blocks the gradient.

    Raises:
        ValueError: if ``lambd`` is negative.
    """
    if lambd < 0:
        raise ValueError(f"grad_reverse: lambd must be >= 0, got {lambd}")
    return _GradReverse.apply(x, float(lambd))


class GradientReversal(nn.Module):
    """Module form of :func:`grad_reverse`; ``lambd`` may be changed during training (e.g. a DANN ramp).

    Args:
        lambd: reversal strength (``>= 0``).
    """

    def __init__(self, lambd: float = 1.0) -> None:
        super().__init__()
        if lambd < 0:
            raise ValueError(f"GradientReversal: lambd must be >= 0, got {lambd}")
        self.lambd = float(lambd)

    def forward(self, x: Tensor) -> Tensor:
        return grad_reverse(x, self.lambd)

    def extra_repr(self) -> str:
        return f"lambd={self.lambd}"
