"""Parameter groups: weight decay on weight matrices and kernels only.

Biases and normalisation parameters (every parameter with ``ndim <= 1``), and any name a module
lists in ``no_weight_decay()`` (the timm convention, e.g. position embeddings or a CLS token), get
neither weight decay nor, under LARS, trust-ratio adaptation (Goyal et al., 2017; You et al., 2017).
"""

from __future__ import annotations

from typing import Any

from torch import nn


def _no_wd_names(module: nn.Module) -> set[str]:
    """Fully qualified parameter names excluded by ``no_weight_decay()`` methods of submodules."""
    names: set[str] = set()
    for prefix, sub in module.named_modules():
        fn = getattr(sub, "no_weight_decay", None)
        if callable(fn):
            names.update(f"{prefix}.{n}" if prefix else n for n in fn())
    return names


def param_groups(module: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Two groups of trainable parameters: ``decay`` and ``no_decay`` (empty groups dropped).

    Each group carries ``name``, ``weight_decay``, ``wd_scale`` (1 or 0: what
    :func:`ssl_core.optim.set_lr_wd` multiplies the scheduled weight decay by), ``lr_scale`` (1)
    and ``lars_adapt`` (False for the no-decay group).
    """
    excluded = _no_wd_names(module)
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for name, p in module.named_parameters():
        if not p.requires_grad:
            continue
        (no_decay if p.ndim <= 1 or name in excluded else decay).append(p)
    groups = [
        dict(
            params=decay, name="decay", weight_decay=weight_decay, wd_scale=1.0, lr_scale=1.0, lars_adapt=True
        ),
        dict(
            params=no_decay, name="no_decay", weight_decay=0.0, wd_scale=0.0, lr_scale=1.0, lars_adapt=False
        ),
    ]
    return [g for g in groups if g["params"]]
