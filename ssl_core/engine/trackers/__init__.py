"""Experiment trackers beside ``metrics.jsonl``: TensorBoard event files and MLflow runs (rank 0 only).

``train.loggers`` chooses them (``[jsonl, tensorboard, mlflow]``; ``metrics.jsonl`` is always written,
since the alarms, ``ssl plot`` and ``ssl report`` read it; ``train.tensorboard: true`` is the older
spelling of listing ``tensorboard``). Each tracker receives, on rank 0:

* the resolved config as parameters (dotted keys, :func:`flat_params`) when the run starts;
* every ``metrics.jsonl`` row (losses, lr / wd / EMA, monitors, probe, alarm flags, throughput);
* when training ends: ``config.yaml``, ``environment.json`` and the final weights (``weights.pt``,
  the SSL module's ``state_dict``: its encoder is what ``embed`` uses) as artifacts;
* when the run is evaluated: the comparison rows (:mod:`ssl_core.engine.trackers.evaluation`);
* when ``ssl report`` writes ``report.html``: that file as an artifact.

TensorBoard writes ``RUN_DIR/tb`` (scalars; config, table and artifact list as text; it has no
artifact store). MLflow logs to ``train.mlflow_uri`` (any tracking URI) or, by default, to the
local file store ``RUN_DIR/mlruns`` (``file:`` URI), experiment ``train.mlflow_experiment``; the run
id is kept in ``RUN_DIR/trackers.json`` so a resume or a later ``evaluate`` logs into the same run.
Both are optional extras: ``pip install 'ssl-core[trackers]'``.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

from ssl_core.errors import ConfigError
from ssl_core.schema import TrainConfig

__all__ = ["EXTRA", "Tracker", "check_trackers", "enabled_trackers", "flat_params", "open_trackers"]

EXTRA = "pip install 'ssl-core[trackers]'"
"""How to install the tracker packages (the ``trackers`` extra of the root pyproject)."""
_MODULES = {"tensorboard": "tensorboard", "mlflow": "mlflow"}
"""The package each tracker imports (``torch.utils.tensorboard`` needs the ``tensorboard`` package)."""
PARAM_MAX_CHARS = 500
"""Longer parameter values are cut (MLflow limits their length; the full config is an artifact)."""


class Tracker(Protocol):
    """What the engine calls on a tracker (rank 0 only)."""

    def log_params(self, params: Mapping[str, str], config_text: str) -> None:
        """The resolved config: dotted keys -> values, and the same as YAML text."""

    def log_metrics(self, values: Mapping[str, float], step: int) -> None:
        """Finite numeric values of one step."""

    def log_text(self, name: str, text: str, step: int) -> None:
        """A block of (markdown) text, e.g. the comparison table."""

    def log_artifact(self, path: Path, folder: str) -> None:
        """A file of the run, stored under ``folder`` (where the tracker has an artifact store)."""

    def close(self) -> None:
        """Flush and close."""


def enabled_trackers(tc: TrainConfig) -> list[str]:
    """The trackers a run logs to besides ``metrics.jsonl``, in ``train.loggers`` order."""
    names = [n for n in tc.loggers if n != "jsonl"]
    if tc.tensorboard and "tensorboard" not in names:
        names.append("tensorboard")
    return names


def check_trackers(tc: TrainConfig) -> None:
    """Fail early (every rank, before any training) when a chosen tracker's package is missing.

    Raises:
        ConfigError: ``train.loggers: <name> needs the optional extra: pip install 'ssl-core[trackers]'``.
    """
    for name in enabled_trackers(tc):
        if importlib.util.find_spec(_MODULES[name]) is None:
            raise ConfigError(
                "<config>", "train.loggers", f"{name!r} needs the optional extra: {EXTRA} (package {name})"
            )


def flat_params(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"train.steps": "200", "optim.schedule.name": "warmup_cosine", ...}`` of a nested config dict."""
    out: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flat_params(value, name + "."))
        else:
            text = str(value)
            out[name] = text if len(text) <= PARAM_MAX_CHARS else text[: PARAM_MAX_CHARS - 1] + "…"
    return out


def open_trackers(run_dir: Path, tc: TrainConfig, *, resume_step: int | None) -> list[Tracker]:
    """The trackers of ``tc`` opened on ``run_dir`` (rank 0; ``resume_step`` None: a fresh run)."""
    check_trackers(tc)
    trackers: list[Tracker] = []
    for name in enabled_trackers(tc):
        if name == "tensorboard":
            from ssl_core.engine.trackers.tb_tracker import TensorBoardTracker

            trackers.append(TensorBoardTracker(run_dir, resume_step=resume_step))
        else:
            from ssl_core.engine.trackers.mlflow_tracker import MlflowTracker

            trackers.append(MlflowTracker(run_dir, tc, resume=resume_step is not None))
    return trackers
