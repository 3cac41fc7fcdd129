"""Build the optimizer named by an :class:`~ssl_core.schema.OptimConfig`.

AdamW (Loshchilov & Hutter, ICLR 2019), Adam, SGD with momentum and LARS (You et al., 2017),
all over :func:`~ssl_core.optim.groups.param_groups` so that biases and norms get no weight decay.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.optim import Optimizer

from ssl_core.errors import ConfigError
from ssl_core.optim.groups import param_groups
from ssl_core.optim.lars import LARS
from ssl_core.schema import OptimConfig

OPTIMIZERS = ("adamw", "adam", "sgd", "lars")


def _fused(module: nn.Module, requested: bool | None) -> bool:
    """Fused Adam(W) kernels: as requested, or by default when every parameter lives on CUDA."""
    if requested is not None:
        return requested
    params = [p for p in module.parameters() if p.requires_grad]
    return bool(params) and all(p.is_cuda and p.is_floating_point() for p in params)


def build_optimizer(module: nn.Module, cfg: OptimConfig) -> Optimizer:
    """The optimizer ``cfg.name`` over ``module``'s trainable parameters, with bias/norm excluded from decay.

    Raises:
        ConfigError: unknown ``optim.name``, negative ``optim.lr`` or ``optim.weight_decay``, or no
            trainable parameter.
    """
    if cfg.name not in OPTIMIZERS:
        raise ConfigError(
            "<config>", "optim.name", f"unknown optimizer {cfg.name!r}; expected one of {OPTIMIZERS}"
        )
    if cfg.lr < 0:
        raise ConfigError("<config>", "optim.lr", f"must be >= 0, got {cfg.lr}")
    if cfg.weight_decay < 0:
        raise ConfigError("<config>", "optim.weight_decay", f"must be >= 0, got {cfg.weight_decay}")
    groups = param_groups(module, cfg.weight_decay)
    if not groups:
        raise ConfigError("<config>", "optim", f"{type(module).__name__} has no trainable parameter")
    betas = (float(cfg.betas[0]), float(cfg.betas[1]))
    if cfg.name == "adamw":
        fused = _fused(module, cfg.fused)
        return torch.optim.AdamW(groups, lr=cfg.lr, betas=betas, eps=cfg.eps, fused=fused or None)
    if cfg.name == "adam":
        fused = _fused(module, cfg.fused)
        return torch.optim.Adam(groups, lr=cfg.lr, betas=betas, eps=cfg.eps, fused=fused or None)
    if cfg.name == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum)
    return LARS(groups, lr=cfg.lr, momentum=cfg.momentum, eta=cfg.lars_eta)


def set_lr_wd(optimizer: Optimizer, lr: float, wd: float) -> None:
    """Set every group's learning rate to ``lr * lr_scale`` and weight decay to ``wd * wd_scale``.

    ``lr`` and ``wd`` are the scheduled values (base value times schedule multiplier); groups
    built by :func:`build_optimizer` without decay have ``wd_scale = 0`` and stay at 0. Groups
    without the scale keys (added by hand) use scales of 1, except a group whose weight decay is
    already 0, which stays 0.
    """
    for group in optimizer.param_groups:
        group["lr"] = lr * group.get("lr_scale", 1.0)
        if "weight_decay" in group:
            default = 1.0 if group["weight_decay"] != 0 else 0.0
            group["weight_decay"] = wd * group.get("wd_scale", default)
