"""The update half of a training step: non-finite guard -> clip -> optimizer step -> EMA teacher.

Schedules are pure functions of the global step (DINOv2, Oquab et al., 2023): learning rate, weight
decay and EMA momentum are recomputed from the step every iteration, so resuming is setting the step.
A NaN/Inf loss or gradient skips the update (no optimizer or EMA change) and is counted; fp16
gradient overflows are the GradScaler's business (it lowers the scale) and do not count unless the
loss itself is non-finite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn
from torch.optim import Optimizer

from ssl_core.engine.config import RunConfig
from ssl_core.errors import SSLCoreError
from ssl_core.interfaces import SSLModule

__all__ = ["NonFiniteError", "ScheduledValues", "Schedules", "apply_update", "ema_step"]


class NonFiniteError(SSLCoreError, FloatingPointError):
    """Too many consecutive steps had a non-finite loss or gradient; the run was stopped."""


@dataclass(frozen=True)
class ScheduledValues:
    """The scheduled hyper-parameters of one step."""

    lr: float
    wd: float
    ema: float


class Schedules:
    """Learning rate, weight decay and EMA momentum as pure functions of the global step."""

    def __init__(self, config: RunConfig, total_steps: int) -> None:
        from ssl_core.schedules import build_schedule

        self.config, self.total_steps = config, total_steps
        self._lr: Callable[[int], float] = build_schedule(
            config.optim.schedule, total_steps, "optim.schedule"
        )
        self._wd: Callable[[int], float] = build_schedule(
            config.optim.wd_schedule, total_steps, "optim.wd_schedule"
        )

    def at(self, step: int) -> ScheduledValues:
        """Values for the update made at ``step`` (0-based)."""
        from ssl_core.schedules import ema_momentum

        optim = self.config.optim
        return ScheduledValues(
            lr=optim.lr * self._lr(step),
            wd=optim.weight_decay * self._wd(step),
            ema=ema_momentum(step, self.total_steps, self.config.ema),
        )


def _grad_norm(params: list[nn.Parameter]) -> Tensor:
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return torch.zeros(())
    norm = torch.nn.utils.get_total_norm(grads, norm_type=2.0, foreach=None)
    full = getattr(norm, "full_tensor", None)
    return full() if full is not None else norm


def _all_ranks_ok(ok: Tensor) -> bool:
    from ssl_core import distributed as dist

    if dist.is_initialized() and dist.world_size() > 1:
        flag = ok.float().reshape(1)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MIN)
        return bool(flag.item() > 0)
    return bool(ok.item())


def apply_update(
    params: list[nn.Parameter],
    optimizer: Optimizer,
    scaler: torch.amp.GradScaler | None,
    loss: Tensor,
    *,
    clip_grad: float | None,
    clip_value: float | None,
) -> tuple[bool, bool, Tensor]:
    """Guard, clip and step; gradients are zeroed afterwards either way.

    Returns:
        ``(stepped, counts_as_nonfinite, grad_norm)``: whether the optimizer stepped; whether the
        skip counts toward ``train.max_nonfinite`` (always for fp32/bf16, only for a non-finite
        *loss* under fp16 scaling); the gradient norm before clipping.
    """
    if scaler is not None:
        scaler.unscale_(optimizer)
    norm = _grad_norm(params)
    loss_ok = torch.isfinite(loss.detach().float())
    ok = _all_ranks_ok(loss_ok & torch.isfinite(norm.to(loss_ok.device)))
    if not ok:
        counts = scaler is None or not _all_ranks_ok(loss_ok)
        if scaler is not None:
            scaler.update()
        optimizer.zero_grad(set_to_none=True)
        return False, counts, norm
    if clip_grad is not None:
        torch.nn.utils.clip_grads_with_norm_(params, clip_grad, norm, foreach=None)
    if clip_value is not None:
        torch.nn.utils.clip_grad_value_(params, clip_value)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return True, False, norm


@torch.no_grad()
def ema_step(module: SSLModule, momentum: float) -> None:
    """``teacher <- m * teacher + (1 - m) * student`` for every pair the module declares."""
    pairs = module.ema_pairs()
    if not pairs:
        return
    from ssl_core.ema import ema_update_

    for student, teacher in pairs:
        ema_update_(teacher, student, momentum)
