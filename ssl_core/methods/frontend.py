"""Running a method's optional front-end (the :class:`ssl_core.interfaces.Frontend` protocol)."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from ssl_core.interfaces import Batch

__all__ = ["has_trainable_parameters", "run_frontend"]


def has_trainable_parameters(module: nn.Module) -> bool:
    """Whether any parameter of ``module`` requires a gradient."""
    return any(p.requires_grad for p in module.parameters())


def run_frontend(frontend: nn.Module | None, batch: Batch) -> Batch:
    """``frontend(batch)`` (``batch`` itself when there is no front-end).

    Runs under ``torch.no_grad()`` unless the front-end has trainable parameters.

    Raises:
        TypeError: the front-end did not return a mapping.
    """
    if frontend is None:
        return batch
    if has_trainable_parameters(frontend):
        out = frontend(batch)
    else:
        with torch.no_grad():
            out = frontend(batch)
    if not isinstance(out, Mapping):
        raise TypeError(
            f"front-end {type(frontend).__name__} returned {type(out).__name__}, not a batch dict"
        )
    return dict(out)
