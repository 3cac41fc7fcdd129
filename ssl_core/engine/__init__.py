"""The training engine: ``train()`` writes a run directory, ``load_run()`` reads it back.

See ``docs/engine.md`` for the step order, precision, accumulation, resume and the run directory.
The names below are imported lazily, so importing the package costs nothing until they are used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ssl_core._lazy import by_module, lazy_getattr

if TYPE_CHECKING:
    from ssl_core.engine.loop import TrainResult, train
    from ssl_core.engine.run import LoadedRun, load_run

_LAZY = by_module(
    {
        "ssl_core.engine.loop": ("train", "TrainResult"),
        "ssl_core.engine.run": ("load_run", "LoadedRun"),
    }
)

__all__ = ["LoadedRun", "TrainResult", "load_run", "train"]


__getattr__ = lazy_getattr(__name__, _LAZY)
