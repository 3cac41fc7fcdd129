"""Resolving the settings a run starts from: recipe, device, strategy, batch split and length."""

from __future__ import annotations

import torch

from ssl_core import distributed as dist
from ssl_core.engine.precision import resolve_device
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.errors import ConfigError
from ssl_core.interfaces import Recipe
from ssl_core.plugins.manager import get_registries
from ssl_core.schema import RunConfig

__all__ = ["build_recipe", "per_rank_batch", "resolve_strategy", "select_device", "total_steps"]


def build_recipe(config: RunConfig) -> Recipe:
    """Build ``config.recipe`` with ``config.recipe_args`` from the recipe registry."""
    return get_registries().recipes.build(config.recipe, **config.recipe_args)


def select_device(name: str) -> torch.device:
    """``train.device`` resolved; under torchrun on CUDA, this rank's ``LOCAL_RANK`` device."""
    if name == "auto" and torch.cuda.is_available() and dist.is_initialized():
        torch.cuda.set_device(dist.local_rank())
    device = resolve_device(name)
    if device.type == "cuda" and device.index is None:
        device = torch.device(
            "cuda", dist.local_rank() if dist.is_initialized() else torch.cuda.current_device()
        )
    return device


def total_steps(config: RunConfig, sampler: GlobalBatchSampler) -> int:
    """``train.epochs x steps per epoch`` when epochs are set, else ``train.steps``."""
    train = config.train
    total = train.epochs * sampler.steps_per_epoch if train.epochs is not None else train.steps
    if total <= 0:
        raise ConfigError("<config>", "train.steps", f"must be positive, got {total}")
    return total


def per_rank_batch(config: RunConfig, world: int) -> int:
    """Samples per rank and step; the global batch must split into world x grad_accum parts."""
    g, k = config.train.batch_size, config.train.grad_accum
    if g % (world * k):
        raise ConfigError(
            "<config>",
            "train.batch_size",
            f"global batch {g} must be divisible by world size x grad_accum = {world} x {k}",
        )
    return g // world


def resolve_strategy(name: str, world: int) -> str:
    """``auto`` -> DDP when the world size is above 1, else none."""
    return ("ddp" if world > 1 else "none") if name == "auto" else name
