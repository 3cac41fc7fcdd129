"""CALCE Arbin cycler exports (``.xlsx``, read with openpyxl): one workbook or a folder of them.

The data are on the ``Channel_*`` sheet (columns ``Test_Time(s)``, ``Step_Index``, ``Cycle_Index``,
``Current(A)`` (+ = charge), ``Voltage(V)``, ``Discharge_Capacity(Ah)``, cumulative within the file).
Cycles are split by step type: a step whose mean current is positive is a charge step (CC and CV), its
rows form the cycle's charge curve; the label is the cycle's discharge capacity (max - min of
``Discharge_Capacity(Ah)`` within the cycle). CALCE CS2 cells are rated 1.1 Ah. (He et al., J. Power
Sources 2011; Xing et al., Microelectron. Reliab. 2013.)
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_battery.curves import CHARGE_THRESHOLD, ChargeCurve, check_series, make_curve, rising

RATED_AH = 1.1
COLUMNS = {"time": "Test_Time(s)", "step": "Step_Index", "cycle": "Cycle_Index", "current": "Current(A)",
           "voltage": "Voltage(V)", "discharge": "Discharge_Capacity(Ah)"}  # fmt: skip
#: A cycle whose discharge capacity is under this share of the rating is partial (no label).
PARTIAL_SHARE = 0.1


def cell_name(path: Path) -> str:
    """``CS2_36`` from ``CS2_36_1_28_11.xlsx`` (else the file's stem)."""
    m = re.match(r"([A-Za-z]+\d*_\d+)", path.stem)
    return m.group(1) if m else path.stem


def file_date(path: Path) -> tuple[int, int, int]:
    """``(year, month, day)`` from a CALCE name ending ``_M_D_YY`` (zeros when absent), for ordering."""
    m = re.search(r"_(\d{1,2})_(\d{1,2})_(\d{2})$", path.stem)
    return (int(m.group(3)), int(m.group(1)), int(m.group(2))) if m else (0, 0, 0)


def read_sheet(path: Path) -> tuple[str, dict[str, np.ndarray]]:
    """``(sheet name, {role: float64 column})`` of the workbook's channel sheet."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataError(path, "<file>", f"not a readable .xlsx workbook ({type(exc).__name__})") from None
    try:
        sheets = [s for s in wb.sheetnames if s.lower().startswith("channel")]
        if not sheets:
            raise DataError(
                path,
                "<sheet>",
                f"no channel sheet (Channel_*) in the workbook; sheets: {', '.join(wb.sheetnames)}",
            )
        name = sheets[0]
        rows = wb[name].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        data = list(rows)
    finally:
        wb.close()
    where = f"sheet {name}: "
    if "Current(mA)" in header:
        raise DataError(path, f"{where}Current(mA)", "current in mA: export Current(A) (A, + = charge)")
    missing = [c for c in COLUMNS.values() if c not in header]
    if missing:
        raise DataError(path, f"{where}{missing[0]}", "column not found in the header (row 1)")
    if not data:
        raise DataError(path, f"{where}<rows>", "the sheet has a header but no data rows")
    out = {}
    for role, col in COLUMNS.items():
        j = header.index(col)
        out[role] = np.array([_number(r[j] if j < len(r) else None) for r in data], dtype=np.float64)
    return name, out


def _number(value: object) -> float:
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(str(value))
    except (TypeError, ValueError):
        return float("nan")


def read_workbook(path: Path, cycle_offset: int = 0) -> tuple[list[ChargeCurve], int]:
    """The charge curves of one workbook (cycles numbered from ``cycle_offset + 1``) and its last cycle."""
    sheet, col = read_sheet(path)
    where, rows = f"sheet {sheet}: ", np.arange(2, len(col["time"]) + 2)
    check_series(path, where, {COLUMNS[k]: col[k] for k in COLUMNS}, rows,
                 time=COLUMNS["time"], current=COLUMNS["current"])  # fmt: skip
    curves, cell = [], cell_name(path)
    cycles = np.unique(col["cycle"]).astype(int)
    for c in cycles:
        rows_c = np.flatnonzero(col["cycle"] == c)
        steps, cur = col["step"][rows_c], col["current"][rows_c]
        charge_steps = [s for s in np.unique(steps) if cur[steps == s].mean() > CHARGE_THRESHOLD]
        if not charge_steps:
            if cur.max() <= CHARGE_THRESHOLD and (cur < -CHARGE_THRESHOLD).any() and _rising(col, rows_c):
                raise DataError(path, f"{where}{COLUMNS['current']}", f"row {rows[rows_c[0]]}: cycle {c} charges "
                                "with a negative current (flipped sign?): charge current must be positive")  # fmt: skip
            raise DataError(
                path, f"{where}{COLUMNS['cycle']}", f"row {rows[rows_c[0]]}: cycle {c} has no charge step"
            )
        sel = rows_c[np.isin(steps, charge_steps)]
        dis = col["discharge"][rows_c]
        capacity = float(dis.max() - dis.min())
        if capacity < PARTIAL_SHARE * RATED_AH:
            capacity = float("nan")  # partial cycle: unlabelled
        curves.append(make_curve(cell, cycle_offset + int(c), col["time"][sel], col["voltage"][sel],
                                 col["current"][sel], None, capacity, RATED_AH))  # fmt: skip
    return curves, cycle_offset + int(cycles.max())


def _rising(col: dict[str, np.ndarray], rows: np.ndarray) -> bool:
    return rising(col["voltage"][rows[col["current"][rows] < -CHARGE_THRESHOLD]])


def read_calce(path: Path) -> list[ChargeCurve]:
    """One workbook, or every ``.xlsx`` below a folder (per cell in date order, cycles continued)."""
    files = (
        [path] if path.is_file() else sorted(path.rglob("*.xlsx"), key=lambda p: (cell_name(p), file_date(p)))
    )
    if not files:
        raise DataError(path, "<folder>", "no .xlsx workbook in the folder")
    curves: list[ChargeCurve] = []
    offsets: dict[str, int] = {}
    for f in files:
        got, last = read_workbook(f, offsets.get(cell_name(f), 0))
        offsets[cell_name(f)] = last
        curves += got
    return curves
