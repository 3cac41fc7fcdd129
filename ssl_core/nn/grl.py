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
    """Module form of :func:`grad_reverse`, optionally with DANN's ramp of the reversal weight.

    With ``ramp=True`` the module is :class:`~ssl_core.interfaces.StepAware`: the engine calls
    :meth:`set_step` before every step and the weight becomes ``max_lambd * dann_ramp(step, T, gamma)``
    (0 at the first step, about ``max_lambd`` at the end; Ganin & Lempitsky, 2015).

    Args:
        lambd: reversal strength (``>= 0``); the final strength when ``ramp`` is set.
        ramp: follow :func:`ssl_core.schedules.dann_ramp` over the run instead of a constant.
        gamma: steepness of the ramp (the paper's 10).
    """

    def __init__(self, lambd: float = 1.0, *, ramp: bool = False, gamma: float = 10.0) -> None:
        super().__init__()
        if lambd < 0:
            raise ValueError(f"GradientReversal: lambd must be >= 0, got {lambd}")
        self.max_lambd, self.ramp, self.gamma = float(lambd), ramp, float(gamma)
        self.lambd = 0.0 if ramp else self.max_lambd

    def set_step(self, step: int, total_steps: int) -> None:
        """Set the reversal weight for ``step`` (a no-op without ``ramp``)."""
        if self.ramp:
            from ssl_core.schedules import dann_ramp

            self.lambd = self.max_lambd * dann_ramp(step, total_steps, self.gamma)

    def forward(self, x: Tensor) -> Tensor:
        return grad_reverse(x, self.lambd)

    def extra_repr(self) -> str:
        return f"lambd={self.lambd}, ramp={self.ramp}" if self.ramp else f"lambd={self.lambd}"
