"""Random-number-generator state: seeding, capture for checkpoints, and replay.

Checkpoints must load with ``torch.load(weights_only=True)``, so every state is stored as tensors,
lists and plain numbers: Python's Mersenne-Twister tuple becomes a list, NumPy's key array a tensor.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

__all__ = ["capture_rng", "fork_state", "restore_fork", "restore_rng", "seed_everything", "view_generator"]


def seed_everything(seed: int, rank: int = 0) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) with ``seed + rank``."""
    value = seed + rank
    random.seed(value)
    np.random.seed(value % 2**32)
    torch.manual_seed(value)


def view_generator(seed: int, rank: int, device: torch.device) -> torch.Generator:
    """The generator views draw from: on ``device``, distinct per rank, reproducible per seed."""
    gen = torch.Generator(device=device)
    gen.manual_seed(seed * 7919 + rank + 1)
    return gen


def capture_rng(generator: torch.Generator | None = None) -> dict[str, Any]:
    """Every RNG state of this process as a ``weights_only``-loadable dict."""
    version, mt, gauss = random.getstate()
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": [version, list(mt), gauss],
        "numpy": [
            kind,
            torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            int(pos),
            int(has_gauss),
            float(cached),
        ],
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "views": generator.get_state() if generator is not None else None,
    }
    return state


def restore_rng(state: dict[str, Any], generator: torch.Generator | None = None) -> None:
    """Restore the states saved by :func:`capture_rng` (CUDA only when present on both sides)."""
    version, mt, gauss = state["python"]
    random.setstate((version, tuple(mt), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available() and len(state["cuda"]) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(state["cuda"])
    if generator is not None and state["views"] is not None:
        generator.set_state(state["views"])


def fork_state(generator: torch.Generator | None, device: torch.device) -> tuple[Any, ...]:
    """Snapshot the torch RNGs a forward pass may draw from (CPU, this CUDA device, the view generator)."""
    cuda = torch.cuda.get_rng_state(device) if device.type == "cuda" else None
    views = generator.get_state() if generator is not None else None
    return torch.get_rng_state(), cuda, views


def restore_fork(snapshot: tuple[Any, ...], generator: torch.Generator | None, device: torch.device) -> None:
    """Return the RNGs to a :func:`fork_state` snapshot so a forward pass replays identically."""
    cpu, cuda, views = snapshot
    torch.set_rng_state(cpu)
    if cuda is not None:
        torch.cuda.set_rng_state(cuda, device)
    if generator is not None and views is not None:
        generator.set_state(views)
