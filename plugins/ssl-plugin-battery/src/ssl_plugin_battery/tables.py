"""Tabular charge logs: NASA PCoE per-cycle CSVs, the generic long CSV, Parquet, and label files.

* NASA-style folder: ``charge/<cell>/charge_<k>.csv`` (columns ``voltage``, ``current`` (+ = charge),
  ``temperature``, ``charge_time`` s) and, when present, ``charge_cycle_index_DERIVED.csv`` giving the
  capacity of the discharge after charge ``k`` (Saha and Goebel, NASA PCoE 2007; cells rated 2.0 Ah).
* Generic CSV / Parquet (one row per sample): ``time`` (s), ``voltage`` (V), ``current`` (A, + = charge),
  optional ``temperature`` (degrees C), ``cycle`` (id), optional ``cell`` and ``capacity`` (Ah, the
  cycle's label). Time may restart at each cycle but never goes backwards within one.
* Labels CSV: ``cell,cycle,capacity`` (Ah) for the curves of ``--data``.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_battery.curves import ChargeCurve, charge_rows, check_series, make_curve

NASA_RATED_AH = 2.0
NASA_LABELS = "charge_cycle_index_DERIVED.csv"
REQUIRED = ("time", "voltage", "current", "cycle")
OPTIONAL = ("temperature", "cell", "capacity")


def read_csv_columns(path: Path) -> dict[str, list[str]]:
    """``{lower-case header: cells}`` of a CSV (strings), refusing an empty file or a ragged row."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(path, "<file>", f"cannot read as UTF-8 CSV ({type(exc).__name__})") from None
    if len(rows) < 2:
        raise DataError(path, "<rows>", "needs a header and at least one data row")
    header = [h.strip().lower() for h in rows[0]]
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(path, "<rows>", f"row {n}: expected {len(header)} fields, found {len(row)}")
    return {h: [r[j] for r in rows[1:]] for j, h in enumerate(header)}


def _floats(cells: list[str]) -> np.ndarray:
    out = np.empty(len(cells))
    for k, c in enumerate(cells):
        try:
            out[k] = float(c)
        except ValueError:
            out[k] = np.nan
    return out


def _unit_check(path: Path, columns: list[str]) -> None:
    for name in columns:
        if "current" in name and re.search(r"\bma\b|_ma\b|\(ma\)", name):
            raise DataError(path, name, "current in mA: give the current in A (column 'current', + = charge)")


def read_nasa(folder: Path) -> list[ChargeCurve]:
    """Every ``charge_<k>.csv`` below ``folder`` (cell = its parent folder), labelled when the derived
    index is present."""
    files = sorted(
        (p for p in folder.rglob("charge_*.csv") if re.fullmatch(r"charge_\d+", p.stem)),
        key=lambda p: (p.parent.name, _k(p)),
    )
    if not files:
        raise DataError(
            folder, "<folder>", "no charge_<k>.csv file (NASA-style layout charge/<cell>/charge_<k>.csv)"
        )
    labels = _nasa_labels(folder / NASA_LABELS) if (folder / NASA_LABELS).is_file() else {}
    curves = []
    for f in files:
        col = read_csv_columns(f)
        _unit_check(f, list(col))
        missing = [c for c in ("voltage", "current", "charge_time") if c not in col]
        if missing:
            raise DataError(f, missing[0], "column not found in the header (row 1)")
        vals = {c: _floats(col[c]) for c in ("charge_time", "voltage", "current")}
        temp = _floats(col["temperature"]) if "temperature" in col else None
        rows = np.arange(2, len(vals["voltage"]) + 2)
        check_series(f, "", {**vals, **({"temperature": temp} if temp is not None else {})}, rows,
                     time="charge_time", current="current")  # fmt: skip
        cell, k = f.parent.name, _k(f)
        sel = charge_rows(f, "", k, vals["current"], vals["voltage"], rows)
        curves.append(make_curve(cell, k, vals["charge_time"][sel], vals["voltage"][sel], vals["current"][sel],
                                 None if temp is None else temp[sel], labels.get((cell, k), np.nan), NASA_RATED_AH))  # fmt: skip
    return curves


def _k(path: Path) -> int:
    m = re.search(r"(\d+)$", path.stem)
    return int(m.group(1)) if m else 0


def _nasa_labels(path: Path) -> dict[tuple[str, int], float]:
    col = read_csv_columns(path)
    cap = _floats(col["next_discharge_capacity_ah"])
    return {
        (b, int(k)): float(c)
        for b, k, c in zip(col["battery_id"], col["charge_index"], cap)
        if np.isfinite(c)
    }


def curves_from_columns(
    path: Path, col: dict[str, np.ndarray | list[str]], rated: float
) -> list[ChargeCurve]:
    """Charge curves of a long table (generic CSV or Parquet), one per ``(cell, cycle)``."""
    _unit_check(path, list(col))
    missing = [c for c in REQUIRED if c not in col]
    if missing:
        raise DataError(path, missing[0], "column not found (needs time, voltage, current, cycle)")
    num = {c: _floats([str(x) for x in col[c]]) for c in (*REQUIRED, "temperature", "capacity") if c in col}
    cells = np.array([str(x) for x in col["cell"]]) if "cell" in col else np.full(len(num["time"]), path.stem)
    rows = np.arange(2, len(num["time"]) + 2)
    check: dict[str, np.ndarray] = {
        c: num[c] for c in ("voltage", "current", "cycle", "temperature") if c in num
    }
    check_series(path, "", {**check, "time": np.sort(num["time"])}, rows, time="time", current="current")
    curves = []
    for cell in dict.fromkeys(cells):
        for cyc in dict.fromkeys(num["cycle"][cells == cell]):
            idx = np.flatnonzero((cells == cell) & (num["cycle"] == cyc))
            check_series(path, "", {"time": num["time"][idx], "current": num["current"][idx]}, rows[idx],
                         time="time", current="current")  # fmt: skip
            sel = idx[charge_rows(path, "", int(cyc), num["current"][idx], num["voltage"][idx], rows[idx])]
            cap = (
                float(np.nanmax(num["capacity"][idx]))
                if "capacity" in num and np.isfinite(num["capacity"][idx]).any()
                else np.nan
            )
            temp = num["temperature"][sel] if "temperature" in num else None
            curves.append(make_curve(cell, int(cyc), num["time"][sel], num["voltage"][sel], num["current"][sel],
                                     temp, cap, rated))  # fmt: skip
    return curves


def read_generic_csv(path: Path, rated: float) -> list[ChargeCurve]:
    """The generic long CSV (see the module docstring)."""
    return curves_from_columns(path, dict(read_csv_columns(path)), rated)


def read_parquet(path: Path, rated: float) -> list[ChargeCurve]:
    """A Parquet table with the generic CSV's columns (needs the ``parquet`` extra: pyarrow)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(
            path, "<file>", "reading Parquet needs pyarrow: pip install 'ssl-plugin-battery[parquet]'"
        ) from None
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise DataError(path, "<file>", f"not a readable Parquet file ({type(exc).__name__})") from None
    col = {name.strip().lower(): table.column(name).to_pylist() for name in table.column_names}
    return curves_from_columns(path, col, rated)  # type: ignore[arg-type]


def apply_labels(path: Path, curves: list[ChargeCurve]) -> None:
    """Set ``capacity`` from a ``cell,cycle,capacity`` CSV; a cell or cycle not in the data is refused."""
    col = read_csv_columns(path)
    missing = [c for c in ("cell", "cycle", "capacity") if c not in col]
    if missing:
        raise DataError(path, missing[0], "column not found (labels need cell, cycle, capacity)")
    known = {(c.cell, c.cycle): c for c in curves}
    cells = {c.cell for c in curves}
    cap, cyc = _floats(col["capacity"]), _floats(col["cycle"])
    for n, (cell, k, value) in enumerate(zip(col["cell"], cyc, cap), start=2):
        if cell not in cells:
            raise DataError(
                path, "cell", f"row {n}: cell {cell!r} is not in the data (cells: {', '.join(sorted(cells))})"
            )
        if not np.isfinite(k) or (cell, int(k)) not in known:
            raise DataError(
                path, "cycle", f"row {n}: cell {cell!r} has no charge curve for cycle {col['cycle'][n - 2]!r}"
            )
        if not np.isfinite(value) or value <= 0:
            raise DataError(
                path,
                "capacity",
                f"row {n}: capacity must be a number > 0 (Ah), got {col['capacity'][n - 2]!r}",
            )
        known[(cell, int(k))].capacity = float(value)
