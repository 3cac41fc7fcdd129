"""TensorBoard event files of a run (``RUN_DIR/tb``), written with ``torch.utils.tensorboard``.

Scalars carry the ``metrics.jsonl`` keys (``loss``, ``lr``, ``monitor/rankme`` ...); the resolved
config, the comparison table and the list of artifacts are text summaries (TensorBoard has no
artifact store). A resumed run passes ``purge_step`` so TensorBoard's readers drop the events an
interrupted run wrote after its last checkpoint, as ``metrics.jsonl`` does; a fresh run clears
``tb/`` first.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Mapping
from pathlib import Path

__all__ = ["TensorBoardTracker", "tb_dir"]


def tb_dir(run_dir: Path) -> Path:
    """Where a run's event files live."""
    return Path(run_dir) / "tb"


class TensorBoardTracker:
    """One ``SummaryWriter`` on ``RUN_DIR/tb`` (see :class:`ssl_core.engine.trackers.Tracker`)."""

    def __init__(self, run_dir: Path, *, resume_step: int | None = None, fresh: bool | None = None) -> None:
        from torch.utils.tensorboard import SummaryWriter

        path = tb_dir(run_dir)
        if (resume_step is None if fresh is None else fresh) and path.is_dir():
            shutil.rmtree(path)
        purge = None if resume_step is None else resume_step + 1
        self.writer = SummaryWriter(log_dir=str(path), purge_step=purge)
        self.artifacts: list[str] = []

    def log_params(self, params: Mapping[str, str], config_text: str) -> None:
        self.writer.add_text("config", "```\n" + config_text + "\n```", 0)

    def log_metrics(self, values: Mapping[str, float], step: int) -> None:
        for key, value in values.items():
            if math.isfinite(value):
                self.writer.add_scalar(key, value, step)
        self.writer.flush()

    def log_text(self, name: str, text: str, step: int) -> None:
        self.writer.add_text(name, text, step)
        self.writer.flush()

    def log_artifact(self, path: Path, folder: str) -> None:
        self.artifacts.append(f"{folder}/{Path(path).name}: {path}")
        self.writer.add_text("artifacts", "\n\n".join(self.artifacts), 0)

    def close(self) -> None:
        self.writer.close()
