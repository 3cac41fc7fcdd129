"""LARS: layer-wise adaptive rate scaling (You, Gitman & Ginsburg, "Large Batch Training of
Convolutional Networks", 2017), as used by SimCLR, BYOL and Barlow Twins.

For each parameter ``p`` of a group with ``lars_adapt=True``::

    g     = grad + weight_decay * p
    q     = eta * ||p|| / ||g||   (1 if either norm is 0)
    mu    = momentum * mu + q * g
    p    -= lr * mu

Groups with ``lars_adapt=False`` (biases and norm parameters, following the Barlow Twins and BYOL
implementations) skip both the weight decay and the trust ratio: plain SGD with momentum.
The update runs with foreach kernels over each group (its parameters on one device).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor
from torch.optim import Optimizer


class LARS(Optimizer):
    """LARS with momentum; see the module docstring for the update.

    Args:
        params: parameters or parameter groups (a group may set ``lars_adapt``).
        lr: learning rate.
        momentum: heavy-ball momentum.
        weight_decay: L2 coefficient added to the gradient before the trust ratio.
        eta: trust coefficient.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float = 0.1,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        eta: float = 0.001,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0 or eta <= 0:
            raise ValueError(
                f"invalid LARS settings: lr={lr}, momentum={momentum}, wd={weight_decay}, eta={eta}"
            )
        defaults = dict(lr=lr, momentum=momentum, weight_decay=weight_decay, eta=eta, lars_adapt=True)
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        """Perform one optimisation step."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._update(params, group)
        return loss

    def _update(self, params: list[Tensor], group: dict[str, Any]) -> None:
        """The update of one group with foreach kernels (one launch per op, not per tensor)."""
        grads: list[Tensor] = [p.grad for p in params if p.grad is not None]
        if group["lars_adapt"]:
            grads = list(torch._foreach_add(grads, params, alpha=group["weight_decay"]))
            p_norm = torch.stack(torch._foreach_norm(params))
            g_norm = torch.stack(torch._foreach_norm(grads))
            ok = (p_norm > 0) & (g_norm > 0)
            trust = torch.where(ok, group["eta"] * p_norm / g_norm.clamp_min(1e-30), torch.ones_like(p_norm))
            trust_list: list[Tensor] = list(trust.unbind())
            torch._foreach_mul_(grads, trust_list)
        bufs = []
        for p in params:
            state = self.state[p]
            if "momentum_buffer" not in state:
                # first step: mu = momentum * 0 + g, i.e. the scaled gradient
                state["momentum_buffer"] = torch.zeros_like(p)
            bufs.append(state["momentum_buffer"])
        torch._foreach_mul_(bufs, group["momentum"])
        torch._foreach_add_(bufs, grads)
        torch._foreach_add_(params, bufs, alpha=-group["lr"])
