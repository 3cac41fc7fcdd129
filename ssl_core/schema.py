"""Typed run configuration: what a YAML config file is validated into.

A config file looks like::

    recipe: core/synthetic           # registry key of a recipe factory
    recipe_args: {dim: 16}           # validated by the recipe's own dataclass, if it declares one
    train: {steps: 500, batch_size: 128, precision: auto}
    optim: {name: adamw, lr: 1.0e-3, schedule: {name: warmup_cosine, warmup_steps: 50}}
    ema: {base: 0.996, final: 1.0}

:func:`ssl_core.config.load_run_config` reads and validates it against these dataclasses (unknown
keys and wrong types are errors naming the key and the file);
:func:`ssl_core.plugins.recipe_args.validate_recipe_args` then checks ``recipe_args`` against the
registered recipe. The resolved config is saved in every run directory. This module is a leaf of the
core: it imports nothing but the standard library, so the optimizer, the schedules and the config
loader can all use it without importing the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "EMAConfig",
    "OptimConfig",
    "RunConfig",
    "ScheduleConfig",
    "TrainConfig",
]


@dataclass
class ScheduleConfig:
    """A schedule as a pure function of the global step (see :mod:`ssl_core.schedules`).

    ``name`` is one of ``constant``, ``warmup_cosine``, ``multistep``, ``infinite``.
    Values are multipliers of the base value (lr, weight decay) unless stated otherwise.
    """

    name: str = "warmup_cosine"
    warmup_steps: int = 0
    final_ratio: float = 0.0
    milestones: list[int] = field(default_factory=list)
    gamma: float = 0.1
    cooldown_steps: int = 0
    constant_ratio: float = 0.25
    anneal_start: int | None = None
    anneal_steps: int = 0
    anneal_kind: Literal["linear", "exponential"] = "linear"


@dataclass
class OptimConfig:
    """Optimizer and its schedules. Biases and norm parameters get no weight decay."""

    name: Literal["adamw", "adam", "sgd", "lars"] = "adamw"
    lr: float = 1e-3
    weight_decay: float = 0.0
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    momentum: float = 0.9
    lars_eta: float = 0.001
    fused: bool | None = None
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    wd_schedule: ScheduleConfig = field(default_factory=lambda: ScheduleConfig(name="constant"))


@dataclass
class EMAConfig:
    """EMA teacher momentum, scheduled from ``base`` to ``final`` over training."""

    base: float = 0.996
    final: float = 1.0
    schedule: Literal["cosine", "linear", "constant"] = "cosine"


@dataclass
class TrainConfig:
    """How the engine runs: length, batch, precision, distribution, cadence of side effects."""

    steps: int = 1000
    epochs: int | None = None
    batch_size: int = 256
    seed: int = 0
    device: str = "auto"
    precision: Literal["auto", "fp32", "bf16", "fp16"] = "auto"
    compile: bool = False
    channels_last: bool = False
    strategy: Literal["auto", "none", "ddp", "fsdp2"] = "auto"
    grad_accum: int = 1
    clip_grad: float | None = None
    clip_value: float | None = None
    max_nonfinite: int = 5
    num_workers: int = 0
    num_threads: int | None = None
    drop_last: bool = True
    log_every: int = 10
    monitor_every: int = 50
    ckpt_every: int = 500
    keep_checkpoints: int = 2
    progress: bool = True
    tensorboard: bool = False


@dataclass
class RunConfig:
    """The whole resolved configuration of one run."""

    recipe: str
    recipe_args: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig = field(default_factory=TrainConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    ema: EMAConfig = field(default_factory=EMAConfig)
