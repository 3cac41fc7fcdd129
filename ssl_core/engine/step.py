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

from ssl_core import distributed as dist
from ssl_core.ema import ema_update_
from ssl_core.errors import SSLCoreError
from ssl_core.interfaces import SSLModule
from ssl_core.schedules import build_schedule, ema_momentum
from ssl_core.schema import RunConfig

__all__ = [
    "check_finite_weights",
    "NonFiniteError",
    "NonFiniteTracker",
    "ScheduledValues",
    "Schedules",
    "apply_update",
    "ema_step",
    "supports_deferred_guard",
]


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
        self.config, self.total_steps = config, total_steps
        self._lr: Callable[[int], float] = build_schedule(
            config.optim.schedule, total_steps, "optim.schedule"
        )
        self._wd: Callable[[int], float] = build_schedule(
            config.optim.wd_schedule, total_steps, "optim.wd_schedule"
        )

    def at(self, step: int) -> ScheduledValues:
        """Values for the update made at ``step`` (0-based)."""
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


def _all_ranks(ok: Tensor) -> Tensor:
    """``ok`` AND-ed over ranks, on the device (no host synchronisation)."""
    if dist.is_initialized() and dist.world_size() > 1:
        flag = ok.float().reshape(1)
        torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MIN)
        return flag[0] > 0
    return ok


def supports_deferred_guard(optimizer: Optimizer, scaler: object, module: SSLModule) -> bool:
    """Whether the guard can skip a step without a host sync.

    Fused optimizers (fused AdamW/Adam/SGD, the default on CUDA) accept a device ``found_inf`` flag
    and skip their update in the kernel (the mechanism GradScaler uses). fp16 scaling and EMA
    teachers take the synchronous path.
    """
    fused = all(bool(g.get("fused")) for g in optimizer.param_groups)
    return (
        bool(getattr(optimizer, "_step_supports_amp_scaling", False))
        and fused
        and scaler is None
        and not module.ema_pairs()
    )


def _clip(
    params: list[nn.Parameter], norm: Tensor, clip_grad: float | None, clip_value: float | None
) -> None:
    if clip_grad is not None:
        torch.nn.utils.clip_grads_with_norm_(params, clip_grad, norm, foreach=None)
    if clip_value is not None:
        torch.nn.utils.clip_grad_value_(params, clip_value)


def apply_update(
    params: list[nn.Parameter],
    optimizer: Optimizer,
    scaler: torch.amp.GradScaler | None,
    loss: Tensor,
    *,
    clip_grad: float | None,
    clip_value: float | None,
    deferred: bool = False,
) -> tuple[Tensor, bool]:
    """Guard, clip and step; gradients are zeroed afterwards either way.

    Args:
        deferred: skip through the fused optimizer's ``found_inf`` flag instead of a host sync
            (see :func:`supports_deferred_guard`); the caller reads the flag later.

    Returns:
        ``(ok, counts)``: a device flag, true when the loss and gradients were finite on every rank
        (the optimizer stepped); whether a skip counts toward ``train.max_nonfinite`` (always,
        except a gradient overflow with a finite loss under fp16 scaling, which is the
        GradScaler's calibration).
    """
    if scaler is not None:
        scaler.unscale_(optimizer)
    norm = _grad_norm(params)
    loss = loss.detach().float()
    ok = _all_ranks(torch.isfinite(loss + norm.to(loss.device)))  # one op: finite iff both are
    if deferred:
        _clip(params, norm, clip_grad, clip_value)
        optimizer.found_inf = (~ok).float()  # type: ignore[attr-defined]
        optimizer.grad_scale = None  # type: ignore[attr-defined]
        try:
            optimizer.step()
        finally:
            del optimizer.found_inf, optimizer.grad_scale  # type: ignore[attr-defined]
        optimizer.zero_grad(set_to_none=True)
        return ok, True
    if not bool(ok.item()):
        counts = scaler is None or not bool(_all_ranks(torch.isfinite(loss)).item())
        if scaler is not None:
            scaler.update()
        optimizer.zero_grad(set_to_none=True)
        return ok, counts
    _clip(params, norm, clip_grad, clip_value)
    if scaler is not None:
        scaler.step(optimizer)
        scaler.update()
    else:
        optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return ok, False


class NonFiniteTracker:
    """Counts skipped steps; raises :class:`NonFiniteError` after ``limit`` in a row.

    Flags from the deferred guard stay on the device and are read only by :meth:`check` (at log and
    checkpoint steps), so the longest run of skips since the last check is kept on the device too.
    """

    def __init__(self, limit: int, total: int = 0, in_a_row: int = 0) -> None:
        self.limit, self.total, self.in_a_row = limit, total, in_a_row
        self._pending: list[Tensor] = []

    def record(self, ok: Tensor, counts: bool, deferred: bool) -> None:
        """Record one step's flag (``counts``: see :func:`apply_update`)."""
        if deferred:
            self._pending.append(ok)
            return
        if bool(ok.item()):
            self.in_a_row = 0
        elif counts:
            self.total += 1
            self.in_a_row += 1

    def check(self, step: int, where: str) -> None:
        """Fold in pending device flags and raise if ``limit`` consecutive steps were skipped."""
        worst = self.in_a_row
        if self._pending:
            for bad in (~torch.stack(self._pending)).tolist():
                self.in_a_row = self.in_a_row + 1 if bad else 0
                self.total += int(bad)
                worst = max(worst, self.in_a_row)
            self._pending = []
        if worst >= self.limit:
            raise NonFiniteError(
                f"{worst} consecutive steps with a non-finite loss or gradient (by step {step}, "
                f"train.max_nonfinite={self.limit}); the run was stopped. The last good checkpoint, if any, "
                f"is in {where}: lower optim.lr, set train.clip_grad, or check the data for NaN/Inf"
            )


@torch.no_grad()
def check_finite_weights(module: nn.Module, step: int, run_dir: object) -> None:
    """Raise :class:`NonFiniteError` when any floating parameter or buffer of ``module`` is NaN/Inf.

    Called before every checkpoint, so a checkpoint never holds non-finite weights and the last
    good one is kept. Every rank checks its (possibly sharded) tensors; the verdict is agreed by an
    all-reduce so that all ranks stop together.
    """
    local = [getattr(t, "to_local", lambda t=t: t)() for t in (*module.parameters(), *module.buffers())]
    flags = [torch.isfinite(t).all() for t in local if t.is_floating_point() and t.numel()]
    if not flags:
        return
    ok = torch.stack(flags).all().float()
    if float(dist.all_reduce_mean(ok).item()) < 1.0:
        raise NonFiniteError(
            f"the model's weights became non-finite (NaN/Inf) by step {step}; the run was stopped without "
            f"saving them. The last good checkpoint, if any, is in {run_dir}/checkpoints: lower optim.lr, "
            "set train.clip_grad, or check the data for NaN/Inf"
        )


@torch.no_grad()
def ema_step(module: SSLModule, momentum: float) -> None:
    """``teacher <- m * teacher + (1 - m) * student`` for every pair the module declares."""
    pairs = module.ema_pairs()
    if not pairs:
        return
    for student, teacher in pairs:
        ema_update_(teacher, student, momentum)
