"""PNG curves of a run from its ``metrics.jsonl`` (``ssl plot RUN_DIR``).

Writes up to four figures under ``RUN_DIR/plots/``: ``loss.png`` (``loss`` and every ``loss/*``),
``schedule.png`` (``lr``, ``wd``, ``ema_momentum``), ``monitors.png`` (``monitor/*``, ``probe/*``)
and ``throughput.png`` (``samples_per_s``, ``data_ms``, ``compute_ms``). matplotlib is an optional
extra (``pip install 'ssl-core[plot]'``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ssl_core.errors import DataError
from ssl_core.utils.atomic import atomic_writer

GROUPS: dict[str, tuple[str, ...]] = {
    "loss": ("loss",),
    "schedule": ("lr", "wd", "ema_momentum"),
    "monitors": ("monitor/", "probe/"),
    "throughput": ("samples_per_s", "data_ms", "compute_ms"),
}


def _matches(key: str, patterns: tuple[str, ...]) -> bool:
    return any(
        key == p or (p.endswith("/") and key.startswith(p)) or key.startswith(p + "/") for p in patterns
    )


def read_metrics(path: Path) -> list[dict[str, float]]:
    """Rows of ``metrics.jsonl`` with numeric values only (``"nan"``/``"inf"`` strings become floats).

    Raises:
        DataError: missing file, a line that is not a JSON object, a row without ``step``, or no rows.
    """
    if not path.is_file():
        raise DataError(path, "metrics.jsonl", "file not found (is this a run directory?)")
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(path, f"line {n}", f"not valid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict) or "step" not in raw:
            raise DataError(path, f"line {n}", "expected a JSON object with a 'step' field")
        row = {}
        for key, value in raw.items():
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, float)) or value in ("nan", "inf", "-inf"):
                row[key] = float(value)
        rows.append(row)
    if not rows:
        raise DataError(path, "metrics.jsonl", "no metric rows")
    return rows


def _series(
    rows: list[dict[str, float]], patterns: tuple[str, ...]
) -> dict[str, tuple[list[float], list[float]]]:
    """``{key: (steps, values)}`` for every key matching ``patterns`` (finite values only)."""
    out: dict[str, tuple[list[float], list[float]]] = {}
    for row in rows:
        for key, value in row.items():
            if key != "step" and _matches(key, patterns) and math.isfinite(value):
                xs, ys = out.setdefault(key, ([], []))
                xs.append(row["step"])
                ys.append(value)
    return out


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install 'ssl-core[plot]'") from exc
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_run(run_dir: str | Path) -> list[Path]:
    """Write the PNG curves of ``run_dir`` into ``run_dir/plots`` and return their paths.

    Raises:
        ImportError: matplotlib is not installed (the message says how to install it).
        DataError: ``metrics.jsonl`` is missing or malformed.
    """
    run_dir = Path(run_dir)
    rows = read_metrics(run_dir / "metrics.jsonl")
    plt = _pyplot()
    out_dir = run_dir / "plots"
    out_dir.mkdir(exist_ok=True)
    written = []
    for name, patterns in GROUPS.items():
        series = _series(rows, patterns)
        if not series:
            continue
        fig, axes = plt.subplots(len(series), 1, figsize=(7, 2.4 * len(series)), sharex=True, squeeze=False)
        for ax, (key, (xs, ys)) in zip(axes[:, 0], sorted(series.items())):
            ax.plot(xs, ys, lw=1.2)
            ax.set_ylabel(key)
            ax.grid(alpha=0.3)
        axes[-1, 0].set_xlabel("step")
        fig.suptitle(f"{run_dir.name}: {name}")
        fig.tight_layout()
        path = out_dir / f"{name}.png"
        try:
            with atomic_writer(path) as fh:  # a failure mid-write leaves the previous plot, not half a PNG
                fig.savefig(fh, dpi=100, format="png")
        finally:
            plt.close(fig)
        written.append(path)
    return written
