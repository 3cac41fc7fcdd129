"""EMA teachers: creation and the foreach update.

Mean-teacher / BYOL style exponential moving averages (Tarvainen & Valpola, 2017; Grill et al.,
"Bootstrap Your Own Latent", NeurIPS 2020): ``teacher <- m * teacher + (1 - m) * student`` after
every optimizer step. The update is one ``torch._foreach_lerp_`` over all parameters, which also
works on FSDP2 ``DTensor`` parameters when teacher and student are sharded identically.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from ssl_core.distributed import unwrap

__all__ = [
    "ema_update_",
    "make_teacher",
]


def make_teacher(module: nn.Module) -> nn.Module:
    """A deep copy of ``module`` with every parameter frozen (``requires_grad=False``)."""
    teacher = copy.deepcopy(module)
    teacher.requires_grad_(False)
    return teacher


@torch.no_grad()
def ema_update_(teacher: nn.Module, student: nn.Module, momentum: float) -> None:
    """In place: ``teacher_p <- momentum * teacher_p + (1 - momentum) * student_p``; buffers copied.

    Parameters are paired by name (wrappers such as DDP on ``student`` are stripped), so the two
    modules must have the same structure. Floating-point parameters are averaged; buffers (e.g.
    BatchNorm running statistics) are copied from the student.

    Raises:
        ValueError: ``momentum`` outside [0, 1] or mismatched parameter names.
    """
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"EMA momentum must be in [0, 1], got {momentum}")
    student = unwrap(student)
    t_params = dict(teacher.named_parameters())
    s_params = dict(student.named_parameters())
    if t_params.keys() != s_params.keys():
        missing = sorted(t_params.keys() ^ s_params.keys())[:5]
        raise ValueError(f"teacher and student parameters differ, e.g. {missing}")
    names = [n for n, p in t_params.items() if p.is_floating_point()]
    if names and momentum < 1.0:
        torch._foreach_lerp_([t_params[n] for n in names], [s_params[n] for n in names], 1.0 - momentum)
    t_bufs = dict(teacher.named_buffers())
    pairs = [(t_bufs[n], b) for n, b in student.named_buffers() if n in t_bufs]
    if pairs:
        torch._foreach_copy_([t for t, _ in pairs], [b for _, b in pairs])
