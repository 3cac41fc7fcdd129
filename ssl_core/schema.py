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

import math
import re
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "DEVICE_NAMES",
    "EMAConfig",
    "LOGGERS",
    "FieldValueError",
    "OptimConfig",
    "RunConfig",
    "SCHEDULE_NAMES",
    "ScheduleConfig",
    "TrainConfig",
    "device_problem",
]

SCHEDULE_NAMES = ("constant", "warmup_cosine", "multistep", "infinite")
DEVICE_NAMES = "auto, cpu, cuda, cuda:N, mps"
"""The device names ``train.device`` and every ``--device`` option accept."""
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
LOGGERS = ("jsonl", "tensorboard", "mlflow")
"""What ``train.loggers`` may list (``metrics.jsonl`` is always written; see ``ssl_core.engine.trackers``)."""


class FieldValueError(ValueError):
    """A config value outside its declared range; ``field`` is the key inside its section."""

    def __init__(self, field: str, reason: str) -> None:
        self.field, self.reason = field, reason
        super().__init__(f"{field}: {reason}")


def device_problem(name: str) -> str | None:
    """Why ``name`` is not a device name ssl-core accepts (``None`` when it is one)."""
    if _DEVICE.match(name):
        return None
    return f"unknown device {name!r}; expected one of {DEVICE_NAMES}"


def _at_least(obj: Any, minimum: int, *names: str, meaning: str = "") -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < minimum:
            raise FieldValueError(name, f"must be >= {minimum}{meaning}, got {value}")


def _finite(obj: Any, *names: str, low: float, high: float = math.inf, low_open: bool = False) -> None:
    """Each of ``names`` finite and in ``[low, high]`` (``(low, high]`` when ``low_open``)."""
    for name in names:
        value = getattr(obj, name)
        if value is None:
            continue
        below = value <= low if low_open else value < low
        if not math.isfinite(value) or below or value > high:
            bound = f"> {low}" if low_open else f">= {low}"
            upper = f" and <= {high}" if math.isfinite(high) else ""
            raise FieldValueError(name, f"must be a finite number {bound}{upper}, got {value}")


@dataclass
class ScheduleConfig:
    """A schedule as a pure function of the global step (see :mod:`ssl_core.schedules`).

    ``name`` is one of ``constant``, ``warmup_cosine``, ``multistep``, ``infinite``.
    Values are multipliers of the base value (lr, weight decay) unless stated otherwise.
    ``milestones`` (multistep) are global steps, or all fractions of the run in (0, 1) (``[0.7, 0.9]``:
    70% and 90% of ``train.steps``), which follow ``--steps``.
    """

    name: str = "warmup_cosine"
    warmup_steps: int = 0
    final_ratio: float = 0.0
    milestones: list[int | float] = field(default_factory=list)
    gamma: float = 0.1
    cooldown_steps: int = 0
    constant_ratio: float = 0.25
    anneal_start: int | None = None
    anneal_steps: int = 0
    anneal_kind: Literal["linear", "exponential"] = "linear"

    def __post_init__(self) -> None:
        # the name, the step counts and the milestones are checked by ssl_core.schedules.build_schedule
        _finite(self, "final_ratio", "constant_ratio", low=0.0)
        _finite(self, "gamma", low=0.0, low_open=True)


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

    def __post_init__(self) -> None:
        _finite(self, "lr", "eps", "lars_eta", low=0.0, low_open=True)
        _finite(self, "weight_decay", low=0.0)
        _finite(self, "momentum", low=0.0, high=1.0)
        for i, beta in enumerate(self.betas):
            if not (math.isfinite(beta) and 0.0 <= beta < 1.0):
                raise FieldValueError(f"betas[{i}]", f"must be a finite number >= 0 and < 1, got {beta}")


@dataclass
class EMAConfig:
    """EMA teacher momentum, scheduled from ``base`` to ``final`` over training."""

    base: float = 0.996
    final: float = 1.0
    schedule: Literal["cosine", "linear", "constant"] = "cosine"

    def __post_init__(self) -> None:
        _finite(self, "base", "final", low=0.0, high=1.0)


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
    compile_regions: bool = False
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
    loggers: list[str] = field(default_factory=lambda: ["jsonl"])
    mlflow_uri: str | None = None
    mlflow_experiment: str = "ssl-core"

    def __post_init__(self) -> None:
        _at_least(self, 1, "steps", "epochs", "batch_size", "grad_accum", "max_nonfinite", "num_threads")
        _at_least(self, 1, "log_every", "ckpt_every")
        _at_least(self, 0, "monitor_every", meaning=" (0 turns the monitors off)")
        _at_least(self, 0, "num_workers", "seed")
        _at_least(self, 0, "keep_checkpoints", meaning=" (0 keeps every step checkpoint)")
        _finite(self, "clip_grad", "clip_value", low=0.0, low_open=True)
        problem = device_problem(self.device)
        if problem:
            raise FieldValueError("device", problem)
        _check_loggers(self)


def _check_loggers(tc: TrainConfig) -> None:
    """``train.loggers`` names known trackers once each; the MLflow keys go with the ``mlflow`` logger."""
    for i, name in enumerate(tc.loggers):
        if name not in LOGGERS:
            raise FieldValueError(
                f"loggers[{i}]", f"unknown logger {name!r}; expected one of {', '.join(LOGGERS)}"
            )
        if name in tc.loggers[:i]:
            raise FieldValueError(f"loggers[{i}]", f"{name!r} is listed twice")
    if tc.mlflow_uri is not None and "mlflow" not in tc.loggers:
        raise FieldValueError("mlflow_uri", "is set but train.loggers does not list 'mlflow'")
    if tc.mlflow_uri is not None and not tc.mlflow_uri.strip():
        raise FieldValueError("mlflow_uri", "is empty; leave it unset for the run directory's local store")
    if not tc.mlflow_experiment.strip():
        raise FieldValueError("mlflow_experiment", "must be a non-empty experiment name")


@dataclass
class RunConfig:
    """The whole resolved configuration of one run."""

    recipe: str
    recipe_args: dict[str, Any] = field(default_factory=dict)
    train: TrainConfig = field(default_factory=TrainConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    ema: EMAConfig = field(default_factory=EMAConfig)
