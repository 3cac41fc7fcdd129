"""The training engine: ``train()`` writes a run directory, ``load_run()`` reads it back.

See ``docs/engine.md`` for the step order, precision, accumulation, resume and the run directory.
The names below are imported lazily, so importing the package costs nothing until they are used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ssl_core.engine.loop import TrainResult, train
    from ssl_core.engine.run import LoadedRun, load_run

_LAZY = {
    "train": "ssl_core.engine.loop",
    "TrainResult": "ssl_core.engine.loop",
    "load_run": "ssl_core.engine.run",
    "LoadedRun": "ssl_core.engine.run",
}

__all__ = ["LoadedRun", "TrainResult", "load_run", "train"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.engine' has no attribute {name!r}")
