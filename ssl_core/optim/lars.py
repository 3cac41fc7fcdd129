"""LARS: layer-wise adaptive rate scaling (You, Gitman & Ginsburg, "Large Batch Training of
Convolutional Networks", 2017), as used by SimCLR, BYOL and Barlow Twins.

For each parameter ``p`` of a group with ``lars_adapt=True``::

    g     = grad + weight_decay * p
    q     = eta * ||p|| / ||g||   (1 if either norm is 0)
    mu    = momentum * mu + q * g
    p    -= lr * mu

Groups with ``lars_adapt=False`` (biases and norm parameters, following the Barlow Twins and BYOL
implementations) skip both the weight decay and the trust ratio: plain SGD with momentum.
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
            for p in group["params"]:
                if p.grad is None:
                    continue
                g = p.grad
                if group["lars_adapt"]:
                    g = g.add(p, alpha=group["weight_decay"])
                    p_norm, g_norm = torch.linalg.vector_norm(p), torch.linalg.vector_norm(g)
                    ok = (p_norm > 0) & (g_norm > 0)
                    q = torch.where(
                        ok, group["eta"] * p_norm / g_norm.clamp_min(1e-30), torch.ones_like(p_norm)
                    )
                    g = g * q
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = torch.clone(g).detach()
                else:
                    buf.mul_(group["momentum"]).add_(g)
                p.add_(buf, alpha=-group["lr"])
        return loss
