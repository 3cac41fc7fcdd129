"""The comparison rows of an evaluated run: ``RUN_DIR/evaluation.json`` and the run's trackers.

``ssl eval``, ``ssl-<domain> evaluate`` and ``ssl demo`` call :func:`record_evaluation` with the rows
they print: the rows are written atomically as JSON (what ``ssl report`` shows), and sent to the
trackers the run was trained with (``train.loggers``): per row ``eval/<baseline>/<task>/<metric>/``
``ssl``, ``baseline``, ``diff``, ``diff_low``, ``diff_high`` and ``better`` (+1 better, -1 worse, 0 no
clear difference) at the run's last step, and the text table (MLflow: also ``evaluation.json`` as an
artifact). A tracker whose package is gone at evaluation time is skipped with a warning line.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ssl_core.evaluation.report import ComparisonRow, format_comparison
from ssl_core.schema import RunConfig
from ssl_core.utils.atomic import atomic_writer

__all__ = ["EVALUATION_FILE", "read_evaluation", "record_evaluation", "row_from_json", "row_to_json"]

EVALUATION_FILE = "evaluation.json"
_VERDICT_SIGN = {"better": 1.0, "worse": -1.0, "no clear difference": 0.0}


def _plain(value: Any) -> Any:
    """JSON-ready ``extra`` values: numbers, strings, lists, dicts; anything else as its text."""
    if isinstance(value, bool | int | str) or value is None:
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):  # numpy / torch scalars
        return _plain(value.item())
    return str(value)


def row_to_json(row: ComparisonRow) -> dict[str, Any]:
    """One row with its derived ``delta`` and ``verdict``."""
    return {
        "task": row.task,
        "metric": row.metric,
        "ssl": _plain(list(row.ssl)),
        "baseline": _plain(list(row.baseline)),
        "higher_is_better": row.higher_is_better,
        "n": row.n,
        "unit": row.unit,
        "diff_ci": _plain(list(row.diff_ci)) if row.diff_ci is not None else None,
        "method": row.method,
        "delta": _plain(row.delta),
        "verdict": row.verdict,
        "extra": _plain(row.extra),
    }


def row_from_json(item: dict[str, Any]) -> ComparisonRow:
    """The row :func:`row_to_json` wrote (``delta`` and ``verdict`` are recomputed)."""
    ci = item.get("diff_ci")
    ssl, base = item["ssl"], item["baseline"]
    return ComparisonRow(
        task=str(item["task"]),
        metric=str(item["metric"]),
        ssl=(float(ssl[0]), float(ssl[1])),
        baseline=(float(base[0]), float(base[1])),
        higher_is_better=bool(item.get("higher_is_better", True)),
        extra=dict(item.get("extra") or {}),
        n=item.get("n"),
        unit=str(item.get("unit", "")),
        diff_ci=(float(ci[0]), float(ci[1])) if ci is not None else None,
        method=str(item.get("method", "")),
    )


def read_evaluation(run_dir: Path) -> tuple[dict[str, Any], list[ComparisonRow]] | None:
    """``(header, rows)`` of ``RUN_DIR/evaluation.json``; ``None`` when the run was not evaluated."""
    path = Path(run_dir) / EVALUATION_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = [row_from_json(item) for item in data.get("rows", [])]
    return {k: v for k, v in data.items() if k != "rows"}, rows


def _key(row: ComparisonRow) -> str:
    raw = f"eval/{row.extra.get('baseline', 'baseline')}/{row.task}/{row.metric}"
    return re.sub(r"[^\w\-. /]", "_", raw)


def _values(rows: Sequence[ComparisonRow]) -> dict[str, float]:
    out: dict[str, float] = {}
    for row in rows:
        key = _key(row)
        out.update({f"{key}/ssl": row.ssl[0], f"{key}/baseline": row.baseline[0], f"{key}/diff": row.delta})
        if row.diff_ci is not None:
            out.update({f"{key}/diff_low": row.diff_ci[0], f"{key}/diff_high": row.diff_ci[1]})
        out[f"{key}/better"] = _VERDICT_SIGN[row.verdict]
    return out


def _log_to_trackers(
    run_dir: Path, config: RunConfig, rows: Sequence[ComparisonRow], step: int, path: Path
) -> None:
    from ssl_core.engine.trackers import check_trackers, enabled_trackers
    from ssl_core.errors import ConfigError

    names = enabled_trackers(config.train)
    if not names:
        return
    try:
        check_trackers(config.train)
    except ConfigError as exc:
        print(f"warning: evaluation not sent to the trackers: {exc}", file=sys.stderr)
        return
    from ssl_core.engine.trackers.mlflow_tracker import MlflowTracker, read_mlflow_run
    from ssl_core.engine.trackers.tb_tracker import TensorBoardTracker

    table = "```\n" + format_comparison(list(rows)) + "\n```"
    for name in names:
        if name == "mlflow" and read_mlflow_run(run_dir) is None:
            print(
                f"warning: {run_dir}: no MLflow run recorded (trackers.json); evaluation not sent",
                file=sys.stderr,
            )
            continue
        tracker = (
            TensorBoardTracker(run_dir, fresh=False) if name == "tensorboard" else MlflowTracker(run_dir)
        )
        try:
            tracker.log_metrics(_values(rows), step)
            tracker.log_text("evaluation", table, step)
            tracker.log_artifact(path, "evaluation")
        finally:
            tracker.close()


def record_evaluation(
    run_dir: Path,
    config: RunConfig,
    rows: Sequence[ComparisonRow],
    *,
    step: int = 0,
    quick: bool = False,
    seeds: int | None = None,
) -> Path:
    """Write ``RUN_DIR/evaluation.json`` atomically and send the rows to the run's trackers."""
    path = Path(run_dir) / EVALUATION_FILE
    data = {
        "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "recipe": config.recipe,
        "step": step,
        "quick": quick,
        "seeds": seeds,
        "rows": [row_to_json(r) for r in rows],
    }
    with atomic_writer(path) as fh:
        fh.write((json.dumps(data, indent=2) + "\n").encode("utf-8"))
    _log_to_trackers(Path(run_dir), config, rows, step, path)
    return path
