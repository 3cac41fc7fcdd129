"""Parameter groups: weight decay on weight matrices and kernels only, optional per-module lr scales.

Biases and normalisation parameters (every parameter with ``ndim <= 1``), and any name a module
lists in ``no_weight_decay()`` (the timm convention, e.g. position embeddings or a CLS token), get
neither weight decay nor, under LARS, trust-ratio adaptation (Goyal et al., 2017; You et al., 2017).

A submodule with a float attribute ``optim_lr_scale`` (e.g. an adversarial discriminator that should
take larger steps than the features it fights, under the engine's single optimizer) puts its
parameters, and those of its children unless they set their own, into groups whose learning rate is
the scheduled one times that scale.
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


def _lr_scales(module: nn.Module) -> dict[str, float]:
    """``{parameter name: scale}`` from ``optim_lr_scale`` attributes (the innermost module wins)."""
    scales: dict[str, float] = {}
    for prefix, sub in module.named_modules():  # parents come before their children
        scale = getattr(sub, "optim_lr_scale", None)
        if scale is None:
            continue
        if isinstance(scale, bool) or not isinstance(scale, int | float) or scale <= 0:
            raise ValueError(
                f"{prefix or type(module).__name__}.optim_lr_scale must be a float > 0, got {scale!r}"
            )
        for name, _ in sub.named_parameters(prefix=prefix):
            scales[name] = float(scale)
    return scales


def param_groups(module: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Groups of trainable parameters: ``decay`` and ``no_decay`` (empty groups dropped).

    Each group carries ``name``, ``weight_decay``, ``wd_scale`` (1 or 0: what
    :func:`ssl_core.optim.set_lr_wd` multiplies the scheduled weight decay by), ``lr_scale``
    and ``lars_adapt`` (False for the no-decay group). Parameters under a module with
    ``optim_lr_scale = s != 1`` go to extra groups ``decay@lr_x<s>`` / ``no_decay@lr_x<s>``.
    """
    excluded, scales = _no_wd_names(module), _lr_scales(module)
    buckets: dict[tuple[float, bool], list[nn.Parameter]] = {}
    for name, p in module.named_parameters():
        if not p.requires_grad:
            continue
        decays = not (p.ndim <= 1 or name in excluded)
        buckets.setdefault((scales.get(name, 1.0), decays), []).append(p)
    order = sorted(buckets, key=lambda k: (k[0] != 1.0, k[0], not k[1]))  # the plain groups first
    groups = []
    for scale, decays in order:
        name = "decay" if decays else "no_decay"
        groups.append(
            dict(
                params=buckets[(scale, decays)],
                name=name if scale == 1.0 else f"{name}@lr_x{scale:g}",
                weight_decay=weight_decay if decays else 0.0,
                wd_scale=1.0 if decays else 0.0,
                lr_scale=scale,
                lars_adapt=decays,
            )
        )
    return groups
