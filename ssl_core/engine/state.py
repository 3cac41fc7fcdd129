"""What a checkpoint holds, and putting it back: model (with teacher), optimizer, scaler, step,
sampler position, online-probe memory, non-finite counters and every rank's RNG states.

Under FSDP2 the model and optimizer states are gathered to full (unsharded) tensors with
``torch.distributed.checkpoint.state_dict`` so one file restores any sharding; these calls are
collective, so every rank calls :func:`collect_state` and rank 0 writes the result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from ssl_core import distributed as dist
from ssl_core.engine.checkpoint import FORMAT
from ssl_core.engine.rng import capture_rng, restore_rng
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.errors import CheckpointError

__all__ = ["Counters", "collect_state", "restore_state"]


@dataclass
class Counters:
    """Run counters that survive a resume."""

    step: int = 0
    nonfinite_total: int = 0
    nonfinite_in_a_row: int = 0


def _sharded(strategy: str) -> bool:
    return strategy == "fsdp2"


def _model_state(
    module: nn.Module, optimizer: Optimizer, strategy: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    if not _sharded(strategy):
        return module.state_dict(), optimizer.state_dict()
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_state_dict

    opts = StateDictOptions(full_state_dict=True, cpu_offload=True)
    model_sd, optim_sd = get_state_dict(module, optimizer, options=opts)
    return model_sd, optim_sd


def _gather_rng(generator: torch.Generator | None) -> list[dict[str, Any]]:
    state = capture_rng(generator)
    if not dist.is_initialized() or dist.world_size() == 1:
        return [state]
    states: list[Any] = [None] * dist.world_size()
    torch.distributed.all_gather_object(states, state)
    return states


def collect_state(
    *,
    module: nn.Module,
    optimizer: Optimizer,
    scaler: torch.amp.GradScaler | None,
    sampler: GlobalBatchSampler,
    generator: torch.Generator | None,
    counters: Counters,
    config_hash: str,
    strategy: str,
    probe: nn.Module | None = None,
) -> dict[str, Any]:
    """The checkpoint dict (collective: call on every rank; only rank 0 needs to save it)."""
    model_sd, optim_sd = _model_state(module, optimizer, strategy)
    epoch, batch = sampler.position(counters.step)
    return {
        "format": FORMAT,
        "step": counters.step,
        "epoch": epoch,
        "config_hash": config_hash,
        "world_size": dist.world_size(),
        "model": model_sd,
        "optimizer": optim_sd,
        "scaler": scaler.state_dict() if scaler is not None else None,
        "sampler": {
            "epoch": epoch,
            "batch": batch,
            "seed": sampler.seed,
            "global_batch": sampler.global_batch,
        },
        "rng": _gather_rng(generator),
        "probe": probe.state_dict() if probe is not None else None,
        "nonfinite": {"total": counters.nonfinite_total, "in_a_row": counters.nonfinite_in_a_row},
    }


def load_model_state(module: nn.Module, state: dict[str, Any], strategy: str = "none") -> None:
    """Load ``state["model"]`` into ``module`` (strict; FSDP2 shards the full tensors)."""
    try:
        if _sharded(strategy):
            from torch.distributed.checkpoint.state_dict import StateDictOptions, set_model_state_dict

            set_model_state_dict(module, state["model"], options=StateDictOptions(full_state_dict=True))
        else:
            module.load_state_dict(state["model"])
    except (RuntimeError, KeyError) as exc:
        raise CheckpointError(f"checkpoint does not match the recipe's module: {exc}") from exc


def restore_state(
    state: dict[str, Any],
    *,
    module: nn.Module,
    optimizer: Optimizer,
    scaler: torch.amp.GradScaler | None,
    sampler: GlobalBatchSampler,
    generator: torch.Generator | None,
    strategy: str,
) -> Counters:
    """Put a checkpoint back into the live objects and return the counters to continue from.

    Raises:
        CheckpointError: the checkpoint's global batch differs from the sampler's (the data order
            would not continue where it stopped).
    """
    saved = state["sampler"]
    if saved["global_batch"] != sampler.global_batch:
        raise CheckpointError(
            f"checkpoint global batch {saved['global_batch']} != configured {sampler.global_batch}; "
            "resume with the same train.batch_size"
        )
    load_model_state(module, state, strategy)
    if _sharded(strategy):
        from torch.distributed.checkpoint.state_dict import StateDictOptions, set_optimizer_state_dict

        set_optimizer_state_dict(
            module, optimizer, state["optimizer"], options=StateDictOptions(full_state_dict=True)
        )
    else:
        optimizer.load_state_dict(state["optimizer"])
    if scaler is not None and state["scaler"]:
        scaler.load_state_dict(state["scaler"])
    rngs = state["rng"]
    restore_rng(rngs[dist.rank()] if dist.rank() < len(rngs) else rngs[0], generator)
    nf = state["nonfinite"]
    return Counters(
        step=int(state["step"]), nonfinite_total=int(nf["total"]), nonfinite_in_a_row=int(nf["in_a_row"])
    )
