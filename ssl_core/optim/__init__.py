"""Optimizers with bias/norm-aware parameter groups, LARS, and per-step lr / weight-decay setting."""

from ssl_core.optim.builder import OPTIMIZERS, build_optimizer, set_lr_wd
from ssl_core.optim.groups import param_groups
from ssl_core.optim.lars import LARS

__all__ = ["LARS", "OPTIMIZERS", "build_optimizer", "param_groups", "set_lr_wd"]
