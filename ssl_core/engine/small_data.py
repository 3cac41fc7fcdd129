"""The small-data rule: a default global batch larger than the dataset shrinks, and the run keeps its length.

A plugin's default batch is sized for its embedded dataset; on a user's table of a few hundred rows it
may exceed the training set, which with ``drop_last`` leaves no full batch at all. When the user did
not choose ``train.batch_size`` themselves (``ssl-<domain> pretrain`` without ``--set
train.batch_size=...``) the engine applies :func:`adapt_batch` once, before the sampler is built:

* **batch**: the largest power of two ``<= n / 4`` (at least 4 steps per epoch), rounded down to a
  multiple of ``world size x grad_accum`` (each rank and micro-batch keeps a whole share);
* **steps** (unless ``train.epochs`` or ``--steps`` fixes them): scaled by ``old batch / new batch``
  so the run would see as many samples as planned, capped at :data:`MAX_STEP_FACTOR` times the
  configured steps so a small table stays quick (as the new batch is at most ``n / 4`` and the old
  one exceeds ``n``, the cap always applies: the steps are multiplied by 4);
* **step-counted schedule fields** (warmup, cooldown, anneal, milestones given in steps) scale with
  the steps, so warmup keeps its share of the run;
* **learning rate**: multiplied by ``sqrt(new batch / old batch)``, the square-root scaling rule
  of adaptive optimisers (Malladi et al., "On the SDEs and Scaling Rules for Adaptive Gradient
  Algorithms", NeurIPS 2022);
* **EMA momentum** (``ema.base``): raised to the power ``old steps / new steps`` when the steps
  grow, so the teacher averages over the same share of the run (the EMA scaling rule of Busbridge
  et al., "How to Scale Your EMA", NeurIPS 2023, in its per-step form).

The engine writes one line saying what it applied and how to override it (``log.txt`` and the
caller's ``echo``). An explicit ``train.batch_size`` that cannot work is left alone and stays the
sampler's one-line error.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from ssl_core.schema import RunConfig, ScheduleConfig

__all__ = ["MAX_STEP_FACTOR", "BatchAdaptation", "SmallData", "adapt_batch", "adapt_config"]

SmallData = Literal["off", "batch", "batch+steps"]
"""``train(small_data=...)``: off (an explicit batch), adapt the batch only (steps fixed by the
user), or the batch and the steps (both are the plugin's defaults)."""

MAX_STEP_FACTOR = 4
"""The adapted run has at most this many times the configured steps."""


@dataclass(frozen=True)
class BatchAdaptation:
    """What :func:`adapt_batch` decided for a dataset of ``n`` samples.

    Attributes:
        n: training samples.
        batch_before, batch_after: the global batch configured and applied.
        steps_before, steps_after: the steps configured and applied (equal when steps are fixed).
        lr_factor: multiplier of ``optim.lr`` (``sqrt(batch_after / batch_before)``).
    """

    n: int
    batch_before: int
    batch_after: int
    steps_before: int
    steps_after: int
    lr_factor: float

    @property
    def step_factor(self) -> float:
        """``steps_after / steps_before``."""
        return self.steps_after / self.steps_before

    def line(self) -> str:
        """The one line printed when the rule applies (what changed, how to override)."""
        steps = (
            f", train.steps {self.steps_before} -> {self.steps_after}"
            if self.steps_after != self.steps_before
            else ""
        )
        return (
            f"small dataset ({self.n} training samples): train.batch_size {self.batch_before} -> "
            f"{self.batch_after}{steps}, optim.lr x{self.lr_factor:.3g} (small-data rule, docs/cli.md); "
            "to choose yourself: --set train.batch_size=N"
        )


def adapt_batch(
    n: int, batch: int, steps: int, *, multiple: int = 1, fixed_steps: bool = False
) -> BatchAdaptation | None:
    """The small-data rule for ``n`` samples and a configured global ``batch`` of ``steps`` steps.

    Args:
        n: training samples.
        batch: configured global batch.
        steps: configured steps.
        multiple: the batch must be a multiple of this (world size x ``grad_accum``).
        fixed_steps: the steps were chosen by the user or follow from ``train.epochs``: keep them.

    Returns:
        ``None`` when ``batch <= n`` (nothing to adapt) or no batch fits (``n < multiple``: the
        sampler's error stays); otherwise the adaptation.
    """
    if batch <= n or n < multiple:
        return None
    size = 2 ** max(0, math.floor(math.log2(max(n / 4, 1))))
    size = max(multiple, size // multiple * multiple)
    new_steps = steps if fixed_steps else min(steps * batch // size, MAX_STEP_FACTOR * steps)
    return BatchAdaptation(n, batch, size, steps, max(new_steps, steps), math.sqrt(size / batch))


_STEP_FIELDS = ("warmup_steps", "cooldown_steps", "anneal_steps", "anneal_start")


def _scaled_schedule(schedule: ScheduleConfig, factor: float) -> ScheduleConfig:
    """``schedule`` with its step-counted fields (and milestones in steps) multiplied by ``factor``."""
    changes: dict[str, Any] = {
        name: round(getattr(schedule, name) * factor) for name in _STEP_FIELDS if getattr(schedule, name)
    }
    milestones = schedule.milestones
    if milestones and any(m >= 1 for m in milestones):  # steps, not fractions of the run
        changes["milestones"] = [round(m * factor) for m in milestones]
    return dataclasses.replace(schedule, **changes) if changes else schedule


def adapt_config(
    config: RunConfig, n: int, world_size: int = 1, *, fixed_steps: bool = False
) -> tuple[RunConfig, BatchAdaptation | None]:
    """``config`` after the small-data rule for ``n`` training samples.

    Nothing changes when ``train.drop_last`` is off or the batch fits; otherwise batch, steps
    (kept when ``fixed_steps`` or ``train.epochs`` is set), step-counted schedule fields,
    ``optim.lr`` and ``ema.base`` follow :func:`adapt_batch`.
    """
    tc = config.train
    if not tc.drop_last:
        return config, None
    fixed = fixed_steps or tc.epochs is not None
    found = adapt_batch(n, tc.batch_size, tc.steps, multiple=world_size * tc.grad_accum, fixed_steps=fixed)
    if found is None:
        return config, None
    optim = config.optim
    optim = dataclasses.replace(
        optim,
        lr=optim.lr * found.lr_factor,
        schedule=_scaled_schedule(optim.schedule, found.step_factor),
        wd_schedule=_scaled_schedule(optim.wd_schedule, found.step_factor),
    )
    ema = dataclasses.replace(config.ema, base=config.ema.base ** (1.0 / found.step_factor))
    train = dataclasses.replace(tc, batch_size=found.batch_after, steps=found.steps_after)
    return dataclasses.replace(config, train=train, optim=optim, ema=ema), found
