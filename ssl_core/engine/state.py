"""What a checkpoint holds, and putting it back: model (with teacher), optimizer, scaler, step,
sampler position, online-probe memory, non-finite counters and every rank's RNG states.

Under FSDP2 the model and optimizer states stay sharded (``DTensor``s keyed by parameter name, from
``torch.distributed.checkpoint.state_dict``) and every rank writes its shards into a DCP directory
(:mod:`ssl_core.engine.sharded`); these calls are collective, so every rank calls
:func:`collect_state`. Otherwise rank 0 writes the plain state dicts to one file. Restoring accepts
either kind into any strategy: DCP reshards on load.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.optim import Optimizer

from ssl_core import distributed as dist
from ssl_core.engine.checkpoint import FORMAT, load_checkpoint
from ssl_core.engine.rng import capture_rng, restore_rng
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.errors import CheckpointError

__all__ = ["Counters", "collect_state", "read_state", "restore_state"]


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
    from torch.distributed.checkpoint.state_dict import get_state_dict

    return get_state_dict(module, optimizer)  # this rank's shards, for a DCP directory


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


def read_state(path: Path, module: nn.Module, optimizer: Optimizer | None = None) -> dict[str, Any]:
    """Read the checkpoint at ``path``: a single file, or a DCP directory read into ``module``'s layout.

    Collective for a DCP directory when a process group exists (every rank calls it).

    Raises:
        CheckpointError: missing, unreadable, or not an ssl-core checkpoint.
    """
    from ssl_core.engine.sharded import is_sharded, load_sharded

    if not is_sharded(path):
        return load_checkpoint(path)
    state = load_sharded(path, module, optimizer)
    if state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ssl-core checkpoint (format {FORMAT})")
    return state


def load_model_state(module: nn.Module, state: dict[str, Any], strategy: str = "none") -> None:
    """Load ``state["model"]`` into ``module`` (strict; FSDP2 shards the full tensors).

    A state read from a DCP directory (``state["layout"] == "dcp"``) is already in this module's
    layout and is set with ``set_model_state_dict``.
    """
    try:
        if state.get("layout") == "dcp":
            from torch.distributed.checkpoint.state_dict import set_model_state_dict

            set_model_state_dict(module, state["model"])
        elif _sharded(strategy):
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
    if state.get("layout") == "dcp":
        from torch.distributed.checkpoint.state_dict import set_optimizer_state_dict

        set_optimizer_state_dict(module, optimizer, state["optimizer"])
    elif _sharded(strategy):
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
