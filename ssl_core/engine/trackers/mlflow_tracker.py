"""An MLflow run of a training run, through ``MlflowClient`` (no global ``mlflow.start_run`` state).

The tracking URI is ``train.mlflow_uri`` or, by default, the local file store ``RUN_DIR/mlruns``
(a ``file:`` URI; MLflow 3 keeps that backend in maintenance mode behind
``MLFLOW_ALLOW_FILE_STORE``, which is set for ``file:`` URIs only). The experiment is
``train.mlflow_experiment`` (created when missing); the run is named after the run directory and
its id is written to ``RUN_DIR/trackers.json``, so a resume and a later ``evaluate`` or ``ssl report``
log into the same MLflow run. Parameters are immutable in MLflow: a resume logs only the keys the
run does not hold yet (``train.steps`` raised on resume keeps its first value there; the
artifact ``config.yaml`` is the resolved one). Metric points logged after the last checkpoint of an
interrupted run stay in MLflow's history (it cannot delete points), unlike ``metrics.jsonl``.
Metric names use ``.`` where ``metrics.jsonl`` has ``/`` (:func:`metric_key`). MLflow's usage
telemetry is turned off (``MLFLOW_DISABLE_TELEMETRY``, unless set): ssl-core makes no network call.
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ssl_core.schema import TrainConfig
from ssl_core.utils.atomic import atomic_writer

__all__ = ["TRACKERS_FILE", "MlflowTracker", "default_uri", "metric_key", "read_mlflow_run"]

TRACKERS_FILE = "trackers.json"
"""``{"mlflow": {"tracking_uri", "experiment", "run_id"}}`` of a run directory."""
_BATCH = 100
"""MLflow's ``log_batch`` takes at most 100 parameters per call."""


def default_uri(run_dir: Path) -> str:
    """The local file store of a run: ``file:///abs/RUN_DIR/mlruns``."""
    return (Path(run_dir).resolve() / "mlruns").as_uri()


def read_mlflow_run(run_dir: Path) -> dict[str, str] | None:
    """The MLflow run recorded in ``RUN_DIR/trackers.json`` (``None`` without one)."""
    path = Path(run_dir) / TRACKERS_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8")).get("mlflow")
    except (OSError, ValueError, AttributeError):
        return None
    return found if isinstance(found, dict) and {"tracking_uri", "run_id"} <= set(found) else None


def metric_key(key: str) -> str:
    """The MLflow name of a ``metrics.jsonl`` key: ``/`` becomes ``.`` (``loss/vicreg`` ->
    ``loss.vicreg``), since the file store keeps a metric per file and cannot hold both ``loss``
    and ``loss/vicreg``."""
    return key.replace("/", ".")


def _client(uri: str) -> Any:
    os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # no network at run time
    if uri.startswith("file:"):
        os.environ.setdefault("MLFLOW_ALLOW_FILE_STORE", "true")
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=uri)


class MlflowTracker:
    """One MLflow run (see :class:`ssl_core.engine.trackers.Tracker` and the module docstring)."""

    def __init__(self, run_dir: Path, tc: TrainConfig | None = None, *, resume: bool = False) -> None:
        self.run_dir = Path(run_dir)
        known = read_mlflow_run(self.run_dir) if (resume or tc is None) else None
        self.uri = (tc.mlflow_uri if tc is not None else None) or default_uri(self.run_dir)
        if known is not None and (tc is None or known["tracking_uri"] == self.uri):
            self.uri = known["tracking_uri"]
            self.client = _client(self.uri)
            self.run_id = known["run_id"]
            return
        if tc is None:
            raise FileNotFoundError(f"{self.run_dir / TRACKERS_FILE}: no MLflow run recorded")
        self.client = _client(self.uri)
        experiment = self.client.get_experiment_by_name(tc.mlflow_experiment)
        exp_id = (
            experiment.experiment_id if experiment else self.client.create_experiment(tc.mlflow_experiment)
        )
        run = self.client.create_run(
            exp_id, run_name=self.run_dir.name, tags={"ssl_core.run_dir": str(self.run_dir.resolve())}
        )
        self.run_id = run.info.run_id
        record = {
            "mlflow": {"tracking_uri": self.uri, "experiment": tc.mlflow_experiment, "run_id": self.run_id}
        }
        with atomic_writer(self.run_dir / TRACKERS_FILE) as fh:
            fh.write((json.dumps(record, indent=2) + "\n").encode("utf-8"))

    def log_params(self, params: Mapping[str, str], config_text: str) -> None:
        from mlflow.entities import Param

        held = self.client.get_run(self.run_id).data.params
        todo = [Param(k, v) for k, v in params.items() if k not in held]
        for start in range(0, len(todo), _BATCH):
            self.client.log_batch(self.run_id, params=todo[start : start + _BATCH])

    def log_metrics(self, values: Mapping[str, float], step: int) -> None:
        from mlflow.entities import Metric

        stamp = int(time.time() * 1000)
        metrics = [
            Metric(metric_key(k), float(v), stamp, step) for k, v in values.items() if math.isfinite(v)
        ]
        if metrics:
            self.client.log_batch(self.run_id, metrics=metrics)

    def log_text(self, name: str, text: str, step: int) -> None:
        self.client.log_text(self.run_id, text, f"{name}.md")

    def log_artifact(self, path: Path, folder: str) -> None:
        self.client.log_artifact(self.run_id, str(path), folder)

    def close(self) -> None:
        self.client.set_terminated(self.run_id)
