"""Numeric precision of the training step: fp32, bf16 autocast or fp16 autocast with a GradScaler.

``precision="auto"`` means bf16 autocast on CUDA (no loss scaling needed, Kalamkar et al., 2019)
and fp32 elsewhere. fp16 uses dynamic loss scaling (Micikevicius et al., 2018, "Mixed Precision
Training") through :class:`torch.amp.GradScaler`. ``channels_last`` converts 4-d parameters and
batch tensors to the NHWC memory format that convolution kernels prefer on GPUs.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch
from torch import nn

from ssl_core.errors import ConfigError
from ssl_core.interfaces import Batch
from ssl_core.schema import device_problem

__all__ = [
    "Precision",
    "apply_channels_last",
    "available_devices",
    "resolve_device",
    "resolve_precision",
    "to_device",
]


def resolve_device(name: str) -> torch.device:
    """``"auto"`` -> ``cuda`` when available (this rank's local device), else ``cpu``."""
    if name == "auto":
        return (
            torch.device("cuda", torch.cuda.current_device())
            if torch.cuda.is_available()
            else torch.device("cpu")
        )
    problem = device_problem(name)
    if problem:
        raise ConfigError("<config>", "train.device", f"{problem}; available here: {available_devices()}")
    device = torch.device(name)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "<config>",
            "train.device",
            f"{name!r} requested but CUDA is not available; available here: {available_devices()}",
        )
    if device.type == "cuda" and device.index is not None and device.index >= torch.cuda.device_count():
        raise ConfigError(
            "<config>",
            "train.device",
            f"{name!r} requested but there is no such GPU; available here: {available_devices()}",
        )
    if device.type == "mps" and not torch.backends.mps.is_available():
        raise ConfigError(
            "<config>",
            "train.device",
            f"{name!r} requested but MPS is not available; available here: {available_devices()}",
        )
    return device


def available_devices() -> str:
    """The device names usable on this machine, e.g. ``auto, cpu, cuda, cuda:0``."""
    names = ["auto", "cpu"]
    if torch.cuda.is_available():
        names += ["cuda", *(f"cuda:{i}" for i in range(torch.cuda.device_count()))]
    if torch.backends.mps.is_available():
        names.append("mps")
    return ", ".join(names)


@dataclass(frozen=True)
class Precision:
    """How the forward pass is cast and whether the loss is scaled.

    Attributes:
        name: ``fp32``, ``bf16`` or ``fp16`` (resolved, never ``auto``).
        device_type: ``cpu`` or ``cuda``.
    """

    name: str
    device_type: str

    @property
    def dtype(self) -> torch.dtype | None:
        """The autocast dtype, or ``None`` for fp32."""
        return {"bf16": torch.bfloat16, "fp16": torch.float16}.get(self.name)

    @property
    def uses_scaler(self) -> bool:
        """fp16 needs dynamic loss scaling; fp32 and bf16 do not."""
        return self.name == "fp16"

    def autocast(self) -> contextlib.AbstractContextManager[None]:
        """The autocast context of the forward pass (a no-op for fp32)."""
        if self.dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device_type, dtype=self.dtype)

    def make_scaler(self) -> torch.amp.GradScaler | None:
        """A GradScaler for fp16, else ``None``."""
        return torch.amp.GradScaler(self.device_type) if self.uses_scaler else None


def resolve_precision(name: str, device: torch.device) -> Precision:
    """Resolve ``train.precision`` for ``device``; ``auto`` is bf16 on CUDA and fp32 on CPU."""
    if name == "auto":
        name = "bf16" if device.type == "cuda" else "fp32"
    if name not in ("fp32", "bf16", "fp16"):
        raise ConfigError("<config>", "train.precision", f"unknown precision {name!r}")
    if name == "fp16" and device.type != "cuda":
        raise ConfigError(
            "<config>", "train.precision", "fp16 with loss scaling needs a CUDA device; use bf16"
        )
    return Precision(name=name, device_type=device.type)


def _move(value: object, device: torch.device, channels_last: bool) -> object:
    if isinstance(value, torch.Tensor):
        if channels_last and value.dim() == 4:
            return value.to(device, non_blocking=True, memory_format=torch.channels_last)
        return value.to(device, non_blocking=True)
    return value


def to_device(batch: Batch, device: torch.device, *, channels_last: bool = False) -> Batch:
    """Move every tensor of ``batch`` to ``device`` (4-d tensors to channels_last when asked)."""
    return {key: _move(value, device, channels_last) for key, value in batch.items()}


def apply_channels_last(module: nn.Module) -> nn.Module:
    """Convert the 4-d parameters and buffers of ``module`` to channels_last (no-op for others)."""
    return module.to(memory_format=torch.channels_last)  # type: ignore[call-overload]
