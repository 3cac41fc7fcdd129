"""The training engine: ``train()`` writes a run directory, ``load_run()`` reads it back.

See ``docs/engine.md`` for the step order, precision, accumulation, resume and the run directory.
"""

from __future__ import annotations

from ssl_core.engine.loop import TrainResult, train
from ssl_core.engine.run import LoadedRun, load_run

__all__ = ["LoadedRun", "TrainResult", "load_run", "train"]
