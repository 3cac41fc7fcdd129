"""Metrics of a run: ``metrics.jsonl`` (one JSON object per logged step), ``log.txt``, optional trackers.

Each row holds ``step``, ``epoch``, every loss and metric of the step, ``lr``, ``wd``,
``ema_momentum`` (when there is a teacher), ``samples_per_s``, ``data_ms`` (waiting for the batch)
and ``compute_ms`` (forward, backward and optimizer), averaged since the previous row, plus the count
of non-finite steps skipped so far. Rows are appended and flushed, so a crashed run keeps its curve;
on resume, rows beyond the resumed step are dropped first. Every row also goes to the experiment
trackers of ``train.loggers`` (TensorBoard, MLflow: :mod:`ssl_core.engine.trackers`).
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from torch import Tensor

from ssl_core.utils.atomic import atomic_writer

if TYPE_CHECKING:
    from torch import nn

    from ssl_core.engine.trackers import Tracker

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
        trackers: experiment trackers that receive every row too
            (:func:`ssl_core.engine.trackers.open_trackers`).
    """

    def __init__(
        self, run_dir: Path, *, resume_step: int | None = None, trackers: list[Tracker] | None = None
    ) -> None:
        self.run_dir = Path(run_dir)
        self.path = Path(run_dir) / "metrics.jsonl"
        self.log_path = Path(run_dir) / "log.txt"
        if resume_step is None:
            mode = "w"
        else:
            _truncate_jsonl(self.path, resume_step)
            mode = "a"
        self._jsonl: IO[str] = self.path.open(mode, encoding="utf-8")
        self._log: IO[str] = self.log_path.open(mode, encoding="utf-8")
        self.trackers: list[Tracker] = list(trackers or [])

    def write(self, row: dict[str, Any]) -> None:
        """Append one row (must contain ``step``)."""
        clean = {k: _clean(v) if isinstance(v, float) else v for k, v in row.items()}
        self._jsonl.write(json.dumps(clean, sort_keys=False) + "\n")
        self._jsonl.flush()
        if self.trackers:
            values = {
                k: float(v)
                for k, v in row.items()
                if k != "step" and isinstance(v, int | float) and not isinstance(v, bool)
            }
            for tracker in self.trackers:
                tracker.log_metrics(values, int(row["step"]))

    def log_config(self, config: Any) -> None:
        """Send the resolved config (a ``RunConfig``) to the trackers as parameters and YAML text."""
        if not self.trackers:
            return
        import yaml

        from ssl_core.config import config_to_dict
        from ssl_core.engine.trackers import flat_params

        data = config_to_dict(config)
        text = yaml.safe_dump(data, sort_keys=False)
        for tracker in self.trackers:
            tracker.log_params(flat_params(data), text)

    def finish(self, module: nn.Module | None) -> None:
        """Send ``config.yaml``, ``environment.json`` and the final weights to the trackers.

        ``module`` None (an FSDP2 run, whose weights are sharded across ranks): no weights artifact;
        the run's checkpoint directory holds them.
        """
        if not self.trackers:
            return
        import tempfile

        import torch

        with tempfile.TemporaryDirectory(prefix="ssl-core-weights-") as tmp:
            weights = Path(tmp) / "weights.pt"
            if module is not None:
                torch.save(module.state_dict(), weights)
            files = [(self.run_dir / n, "run") for n in ("config.yaml", "environment.json")]
            for path, folder in [*files, (weights, "model")]:
                if path.is_file():
                    for tracker in self.trackers:
                        tracker.log_artifact(path, folder)

    def log(self, message: str) -> None:
        """Append a timestamped line to ``log.txt``."""
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        self._log.write(f"{stamp} {message}\n")
        self._log.flush()

    def close(self) -> None:
        """Flush and close every file."""
        self._jsonl.close()
        self._log.close()
        for tracker in self.trackers:
            tracker.close()
