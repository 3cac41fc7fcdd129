"""Tiny, CPU-only run configs for tests (a couple of steps, small batches, no progress bar)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ssl_core.schema import RunConfig, TrainConfig

TINY_TRAIN: dict[str, Any] = {
    "steps": 2,
    "batch_size": 4,
    "seed": 0,
    "device": "cpu",
    "precision": "fp32",
    "strategy": "none",
    "log_every": 1,
    "monitor_every": 1,
    "ckpt_every": 1,
    "progress": False,
    "num_workers": 0,
}


def tiny_train(**overrides: Any) -> TrainConfig:
    """A :class:`TrainConfig` for tests: 2 steps, batch 4, CPU, fp32, no progress bar."""
    return dataclasses.replace(TrainConfig(**TINY_TRAIN), **overrides)


def tiny_run_config(recipe: str, recipe_args: Mapping[str, Any] | None = None, **train: Any) -> RunConfig:
    """A :class:`RunConfig` for ``recipe`` with :func:`tiny_train` settings (``train`` overrides them)."""
    return RunConfig(recipe=recipe, recipe_args=dict(recipe_args or {}), train=tiny_train(**train))
