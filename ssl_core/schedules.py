"""Schedules as pure functions of the global step.

Every function here maps a step (``int``, counted from 0) to a *multiplier* of a base value
(learning rate, weight decay), except :func:`ema_momentum`, which returns the momentum itself.
Because nothing is stateful, resuming a run only needs the step: ``build_schedule(cfg, T)(s)``
is the same number before and after a restart.

Schedules:

* :func:`constant` -- optional linear warmup, then 1.
* :func:`warmup_cosine` -- linear warmup, then half-cosine decay to ``final_ratio``
  (Loshchilov & Hutter, "SGDR", ICLR 2017; Goyal et al., 2017 for the warmup).
* :func:`multistep` -- optional warmup, then ``gamma ** (milestones passed)``.
* :func:`infinite` -- the infinite learning-rate schedule (Ibrahim et al., "Simple and Scalable
  Strategies to Continually Pre-train LLMs", 2024; Hagele et al., "Scaling Laws and
  Compute-Optimal Training Beyond Fixed Training Durations", 2024): warmup, cosine cooldown to a
  constant level, an open-ended constant phase that new data can extend, and an optional final
  anneal.
* :func:`dann_ramp` -- the domain-adversarial ramp ``2 / (1 + exp(-gamma p)) - 1`` of a
  gradient-reversal weight (Ganin & Lempitsky, ICML 2015).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

from ssl_core.errors import ConfigError
from ssl_core.schema import SCHEDULE_NAMES, EMAConfig, ScheduleConfig

__all__ = [
    "SCHEDULES",
    "build_schedule",
    "constant",
    "dann_ramp",
    "ema_momentum",
    "infinite",
    "milestone_steps",
    "multistep",
    "warmup_cosine",
]

SCHEDULES = SCHEDULE_NAMES


def _warmup(step: int, warmup_steps: int) -> float:
    """Linear warmup factor: ``step / warmup_steps`` below ``warmup_steps``, else 1."""
    if warmup_steps <= 0 or step >= warmup_steps:
        return 1.0
    return max(step, 0) / warmup_steps


def _cosine(progress: float, start: float, end: float) -> float:
    """Half-cosine from ``start`` (progress 0) to ``end`` (progress 1); progress is clamped."""
    p = min(max(progress, 0.0), 1.0)
    return end + (start - end) * 0.5 * (1.0 + math.cos(math.pi * p))


def constant(step: int, warmup_steps: int = 0, value: float = 1.0) -> float:
    """``value`` after a linear warmup of ``warmup_steps`` steps from 0."""
    return value * _warmup(step, warmup_steps)


def warmup_cosine(step: int, total_steps: int, warmup_steps: int = 0, final_ratio: float = 0.0) -> float:
    """Linear warmup 0 -> 1 over ``warmup_steps``, then cosine 1 -> ``final_ratio`` at ``total_steps``.

    Steps past ``total_steps`` stay at ``final_ratio``.
    """
    if step < warmup_steps:
        return _warmup(step, warmup_steps)
    span = max(total_steps - warmup_steps, 1)
    return _cosine((step - warmup_steps) / span, 1.0, final_ratio)


def multistep(step: int, milestones: Sequence[int], gamma: float = 0.1, warmup_steps: int = 0) -> float:
    """``gamma ** k`` where ``k`` is the number of milestones ``<= step``, after an optional warmup."""
    passed = sum(1 for m in milestones if step >= m)
    return _warmup(step, warmup_steps) * gamma**passed


def infinite(
    step: int,
    warmup_steps: int = 0,
    cooldown_steps: int = 0,
    constant_ratio: float = 0.25,
    anneal_start: int | None = None,
    anneal_steps: int = 0,
    anneal_kind: str = "linear",
    final_ratio: float = 0.0,
) -> float:
    """The infinite learning-rate schedule, as a multiplier of the peak value.

    Phases (``W`` = warmup_steps, ``C`` = cooldown_steps, ``c`` = constant_ratio):

    1. ``0 <= s < W``: linear warmup ``s / W``;
    2. ``W <= s < W + C``: cosine cooldown ``c + (1 - c) * (1 + cos(pi (s - W) / C)) / 2``;
    3. ``s >= W + C``: constant ``c`` for as long as training goes on (extending the run changes
       no earlier value);
    4. if ``anneal_start`` is set, from ``anneal_start`` over ``anneal_steps`` steps the value
       goes from the phase-1..3 value at ``anneal_start`` (``v0``) to ``final_ratio``:
       linearly (``v0 + (final - v0) t``) or exponentially (``v0 (final / v0) ** t``), with
       ``t = (s - anneal_start) / anneal_steps`` clamped to [0, 1]; after it, ``final_ratio``.
    """
    if anneal_kind not in ("linear", "exponential"):
        raise ValueError(f"anneal_kind must be 'linear' or 'exponential', got {anneal_kind!r}")
    if anneal_start is not None and step >= anneal_start:
        v0 = infinite(anneal_start, warmup_steps, cooldown_steps, constant_ratio)
        t = 1.0 if anneal_steps <= 0 else min((step - anneal_start) / anneal_steps, 1.0)
        if anneal_kind == "linear":
            return v0 + (final_ratio - v0) * t
        if final_ratio <= 0.0 or v0 <= 0.0:
            raise ValueError("an exponential anneal needs final_ratio > 0 and a positive start value")
        return v0 * (final_ratio / v0) ** t
    if step < warmup_steps:
        return _warmup(step, warmup_steps)
    if step < warmup_steps + cooldown_steps:
        return _cosine((step - warmup_steps) / cooldown_steps, 1.0, constant_ratio)
    return constant_ratio


def _check(cfg: ScheduleConfig, key: str) -> None:
    """Validate a schedule config, raising :class:`ConfigError` naming ``key``."""
    if cfg.name not in SCHEDULES:
        raise ConfigError(
            "<config>", f"{key}.name", f"unknown schedule {cfg.name!r}; expected one of {SCHEDULES}"
        )
    for name in ("warmup_steps", "cooldown_steps", "anneal_steps"):
        if getattr(cfg, name) < 0:
            raise ConfigError("<config>", f"{key}.{name}", "must be >= 0")
    if cfg.anneal_kind not in ("linear", "exponential"):
        raise ConfigError("<config>", f"{key}.anneal_kind", "must be 'linear' or 'exponential'")
    exp_anneal = cfg.name == "infinite" and cfg.anneal_start is not None and cfg.anneal_kind == "exponential"
    if exp_anneal and cfg.final_ratio <= 0:
        raise ConfigError("<config>", f"{key}.final_ratio", "an exponential anneal needs final_ratio > 0")
    if any(b <= a for a, b in zip(cfg.milestones, cfg.milestones[1:])):
        raise ConfigError("<config>", f"{key}.milestones", "must be strictly increasing")
    fractions = [0 < m < 1 for m in cfg.milestones]
    if any(fractions) and not all(fractions):
        raise ConfigError(
            "<config>",
            f"{key}.milestones",
            "give all milestones as steps, or all as fractions of the run in (0, 1)",
        )
    if not any(fractions) and any(m != int(m) or m < 0 for m in cfg.milestones):
        raise ConfigError("<config>", f"{key}.milestones", "steps must be whole numbers >= 0")


def milestone_steps(milestones: Sequence[float], total_steps: int) -> tuple[int, ...]:
    """Milestones as global steps: fractions of the run (all in (0, 1)) scaled by ``total_steps``."""
    if milestones and all(0 < m < 1 for m in milestones):
        return tuple(int(m * total_steps) for m in milestones)
    return tuple(int(m) for m in milestones)


def build_schedule(
    cfg: ScheduleConfig, total_steps: int, key: str = "optim.schedule"
) -> Callable[[int], float]:
    """The multiplier ``step -> float`` described by ``cfg`` for a run of ``total_steps`` steps.

    ``total_steps`` only matters for ``warmup_cosine``; ``infinite`` ignores it so that a run can
    be extended. ``key`` names the config entry in error messages.
    """
    _check(cfg, key)
    if cfg.name == "constant":
        return partial(constant, warmup_steps=cfg.warmup_steps)
    if cfg.name == "warmup_cosine":
        return partial(
            warmup_cosine, total_steps=total_steps, warmup_steps=cfg.warmup_steps, final_ratio=cfg.final_ratio
        )
    if cfg.name == "multistep":
        return partial(
            multistep,
            milestones=milestone_steps(cfg.milestones, total_steps),
            gamma=cfg.gamma,
            warmup_steps=cfg.warmup_steps,
        )
    return partial(
        infinite,
        warmup_steps=cfg.warmup_steps,
        cooldown_steps=cfg.cooldown_steps,
        constant_ratio=cfg.constant_ratio,
        anneal_start=cfg.anneal_start,
        anneal_steps=cfg.anneal_steps,
        anneal_kind=cfg.anneal_kind,
        final_ratio=cfg.final_ratio,
    )


def ema_momentum(step: int, total_steps: int, cfg: EMAConfig) -> float:
    """EMA teacher momentum at ``step``, from ``cfg.base`` (step 0) to ``cfg.final`` (``total_steps``).

    ``cosine`` is BYOL's ``final - (final - base) (cos(pi s / T) + 1) / 2`` (Grill et al., 2020);
    ``linear`` interpolates; ``constant`` is ``base``. Progress is clamped to [0, 1].
    """
    if cfg.schedule == "constant":
        return cfg.base
    progress = min(max(step / max(total_steps, 1), 0.0), 1.0)
    if cfg.schedule == "linear":
        return cfg.base + (cfg.final - cfg.base) * progress
    if cfg.schedule == "cosine":
        return _cosine(progress, cfg.base, cfg.final)
    raise ConfigError("<config>", "ema.schedule", f"unknown schedule {cfg.schedule!r}")


def dann_ramp(step: int, total_steps: int, gamma: float = 10.0) -> float:
    """DANN's adversarial-weight ramp ``2 / (1 + exp(-gamma p)) - 1`` with ``p = step / total_steps``.

    Ganin & Lempitsky, "Unsupervised Domain Adaptation by Backpropagation", ICML 2015 (arXiv
    1409.7495): the reversal weight grows from 0 to about 1 so that the adversary's early, noisy
    gradients do not disturb the features. Progress is clamped to [0, 1].
    """
    if gamma <= 0:
        raise ValueError(f"dann_ramp: gamma must be > 0, got {gamma}")
    progress = min(max(step / max(total_steps, 1), 0.0), 1.0)
    return 2.0 / (1.0 + math.exp(-gamma * progress)) - 1.0
