"""Metrics of a run: ``metrics.jsonl`` (one JSON object per logged step), ``log.txt``, optional TensorBoard.

Each row holds ``step``, ``epoch``, every loss and metric of the step, ``lr``, ``wd``,
``ema_momentum`` (when there is a teacher), ``samples_per_s``, ``data_ms`` (waiting for the batch)
and ``compute_ms`` (forward, backward and optimizer), averaged since the previous row, plus the count
of non-finite steps skipped so far. Rows are appended and flushed, so a crashed run keeps its curve;
on resume, rows beyond the resumed step are dropped first.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from torch import Tensor

from ssl_core.utils.atomic import atomic_writer

__all__ = ["MetricsWriter", "StepTimer", "to_floats"]


def to_floats(values: Mapping[str, Tensor | float]) -> dict[str, float]:
    """Convert tensor metrics to Python floats (one host sync per call)."""
    out: dict[str, float] = {}
    for key, value in values.items():
        out[key] = float(value.item()) if isinstance(value, Tensor) else float(value)
    return out


class StepTimer:
    """Running averages of data-wait and compute time and sample throughput between log rows."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Start a new averaging window."""
        self.steps, self.samples, self.data_s, self.compute_s = 0, 0, 0.0, 0.0

    def add(self, *, samples: int, data_s: float, compute_s: float) -> None:
        """Record one step."""
        self.steps += 1
        self.samples += samples
        self.data_s += data_s
        self.compute_s += compute_s

    def summary(self) -> dict[str, float]:
        """``samples_per_s``, ``data_ms`` and ``compute_ms`` (per step) of the window."""
        if self.steps == 0:
            return {}
        total = self.data_s + self.compute_s
        return {
            "samples_per_s": self.samples / total if total > 0 else 0.0,
            "data_ms": 1000.0 * self.data_s / self.steps,
            "compute_ms": 1000.0 * self.compute_s / self.steps,
        }


def _truncate_jsonl(path: Path, max_step: int) -> None:
    if not path.is_file():
        return
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and row.get("step", 0) <= max_step:
            kept.append(line)
    with atomic_writer(path) as fh:  # a crash here must not lose the rows being kept
        fh.write("".join(f"{line}\n" for line in kept).encode("utf-8"))


def _clean(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


class MetricsWriter:
    """Appends metric rows to ``metrics.jsonl`` and lines to ``log.txt`` (rank 0 only).

    Args:
        run_dir: the run directory.
        resume_step: the step training resumes from (``None`` for a fresh run, truncating old files).
        tensorboard: also write TensorBoard scalars to ``run_dir/tb`` (needs the ``tensorboard`` extra).
    """

    def __init__(self, run_dir: Path, *, resume_step: int | None = None, tensorboard: bool = False) -> None:
        self.path = Path(run_dir) / "metrics.jsonl"
        self.log_path = Path(run_dir) / "log.txt"
        if resume_step is None:
            mode = "w"
        else:
            _truncate_jsonl(self.path, resume_step)
            mode = "a"
        self._jsonl: IO[str] = self.path.open(mode, encoding="utf-8")
        self._log: IO[str] = self.log_path.open(mode, encoding="utf-8")
        self._tb: Any = None
        if tensorboard:
            try:
                from torch.utils.tensorboard import SummaryWriter
            except ImportError as exc:
                raise ImportError(
                    "train.tensorboard=true needs the optional extra: pip install 'ssl-core[tensorboard]'"
                ) from exc
            self._tb = SummaryWriter(log_dir=str(Path(run_dir) / "tb"))

    def write(self, row: dict[str, Any]) -> None:
        """Append one row (must contain ``step``)."""
        clean = {k: _clean(v) if isinstance(v, float) else v for k, v in row.items()}
        self._jsonl.write(json.dumps(clean, sort_keys=False) + "\n")
        self._jsonl.flush()
        if self._tb is not None:
            for key, value in row.items():
                if key != "step" and isinstance(value, int | float):
                    self._tb.add_scalar(key, value, row["step"])

    def log(self, message: str) -> None:
        """Append a timestamped line to ``log.txt``."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        self._log.write(f"{stamp} {message}\n")
        self._log.flush()

    def close(self) -> None:
        """Flush and close every file."""
        self._jsonl.close()
        self._log.close()
        if self._tb is not None:
            self._tb.close()
