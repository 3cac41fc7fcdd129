"""Resources estimated before work starts: a training step's peak memory against what is available.

A plugin estimates the peak memory of one step from the data's shape and the model's size (a
:class:`MemoryEstimate`: the bytes, what dominates them, the knobs that shrink them) through the
optional ``estimate_memory`` of its :class:`~ssl_core.recipe_builder.RecipeBuilder`. The engine calls
:func:`check_memory` after the data is read and the model built, before anything is written to the
run directory, and refuses a run that would not fit with one line naming the estimate and the knobs.

Available memory: ``$SSL_CORE_MEMORY_LIMIT`` (``8G``, ``512M``, bytes) when set, else the free memory
of the CUDA device, else ``psutil``'s available RAM, else ``MemAvailable`` of ``/proc/meminfo``; with
none of them the check is skipped. ``SSL_CORE_MEMORY_LIMIT=0`` turns the check off.

The helpers price a transformer the way the engine runs it (``ssl_core.nn.FastTransformerEncoder``:
explicit ``softmax(q k^T) v``, so the attention matrix of every layer is kept for the backward pass;
Vaswani et al. 2017): per layer and sample, ``heads x tokens^2`` attention weights plus about
``tokens x (12 dim + 2 ffn)`` activations, in float32.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ssl_core.errors import ResourceError

__all__ = [
    "FLOAT",
    "LIMIT_ENV",
    "MemoryEstimate",
    "available_memory",
    "check_memory",
    "format_bytes",
    "parse_size",
    "training_state_bytes",
    "transformer_bytes",
]

LIMIT_ENV = "SSL_CORE_MEMORY_LIMIT"
FLOAT = 4  # bytes of a float32
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


@dataclass(frozen=True)
class MemoryEstimate:
    """The estimated peak memory of one training step.

    Attributes:
        peak_bytes: the estimate.
        detail: what dominates it, in words (``"attention over 5,001 tokens x 2 heads x batch 512 x 16 layers"``).
        knobs: what lowers it, most effective first (``"train.batch_size (512)"``, ``"fewer feature columns"``).
        source: the file or folder the data came from (named in the refusal).
    """

    peak_bytes: int
    detail: str
    knobs: tuple[str, ...] = ()
    source: str = "<data>"


def parse_size(text: str) -> int:
    """``"8G"`` / ``"512M"`` / ``"1.5g"`` / ``"1000"`` -> bytes (binary units).

    Raises:
        ResourceError: not a size.
    """
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([KMGT]?)i?B?\s*", text, flags=re.IGNORECASE)
    if match is None:
        raise ResourceError(f"${LIMIT_ENV}: {text!r} is not a size (e.g. 8G, 512M, or bytes)")
    return int(float(match.group(1)) * _UNITS[match.group(2).upper()])


def format_bytes(n: float) -> str:
    """``23.6 GB`` (decimal units, as ``free`` and task managers show them)."""
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def _meminfo() -> int | None:
    try:
        text = Path("/proc/meminfo").read_text(encoding="ascii")
    except OSError:
        return None
    match = re.search(r"^MemAvailable:\s+(\d+)\s+kB", text, flags=re.MULTILINE)
    return int(match.group(1)) * 1024 if match else None


def available_memory(device: Any = "cpu") -> tuple[int | None, str]:
    """``(bytes, where the figure comes from)``; ``(None, reason)`` when it cannot be known."""
    limit = os.environ.get(LIMIT_ENV, "").strip()
    if limit:
        return parse_size(limit), f"${LIMIT_ENV}"
    if str(device).startswith("cuda"):
        import torch

        free, _ = torch.cuda.mem_get_info(torch.device(device))
        return int(free), f"free on {device}"
    try:
        import psutil
    except ImportError:
        found = _meminfo()
        return found, "available RAM (/proc/meminfo)" if found else "unknown"
    return int(psutil.virtual_memory().available), "available RAM"


def training_state_bytes(module: Any) -> int:
    """Weights, gradients and two Adam moments of every trainable parameter, the rest once (float32)."""
    trainable = sum(p.numel() for p in module.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in module.parameters() if not p.requires_grad)
    frozen += sum(b.numel() for b in module.buffers())
    return FLOAT * (4 * trainable + frozen)


def transformer_bytes(
    batch: int, tokens: int, *, dim: int, heads: int, ffn: int, layers: int, grad: bool = True
) -> int:
    """Activation bytes of a transformer encoder on ``batch`` sequences of ``tokens``.

    With ``grad`` every layer's activations are kept for the backward pass (attention weights
    ``heads x tokens^2``, the rest ``tokens x (12 dim + 2 ffn)``), plus the softmax's transient
    scores of one layer; without, only one layer is live (scores, exponentials and weights).
    """
    attention = batch * heads * tokens * tokens
    rest = batch * tokens * (12 * dim + 2 * ffn)
    if grad:
        return FLOAT * (layers * (attention + rest) + 2 * attention)
    return FLOAT * (3 * attention + rest)


def check_memory(estimate: MemoryEstimate, device: Any = "cpu") -> None:
    """Refuse (before any file is written) a step whose estimate exceeds the available memory.

    Raises:
        ResourceError: one line with the estimate, what dominates it, the memory available and the knobs.
    """
    have, where = available_memory(device)
    if have is None or have == 0 or estimate.peak_bytes <= have:
        return
    knobs = ", ".join(estimate.knobs) if estimate.knobs else "a smaller model or batch"
    raise ResourceError(
        f"{estimate.source}: memory: this run needs about {format_bytes(estimate.peak_bytes)} at its peak "
        f"({estimate.detail}), {format_bytes(have)} is available ({where}); lower {knobs} "
        f"(set ${LIMIT_ENV} to override the available figure, 0 to skip this check)"
    )
