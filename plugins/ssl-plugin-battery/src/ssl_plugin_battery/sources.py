"""From ``--data`` (or nothing) to validated charge curves: format detection, labels, the one-line summary.

``None`` is the embedded NASA PCoE slice (``data_files/nasa_charge_slice.npz``: B0005/6/7/18, every
8th charge curve on a 10 s grid with the capacity of the following discharge; public NASA data, see
``data_files/NOTICE``). Everything else is read by the format's loader (see ``calce``, ``tables``,
``packs``). What was inferred (format, cells, curves, units, sign, temperature) is printed once.
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_battery.calce import read_calce
from ssl_plugin_battery.curves import ChargeCurve, make_curve
from ssl_plugin_battery.packs import read_packs
from ssl_plugin_battery.tables import NASA_RATED_AH, apply_labels, read_generic_csv, read_nasa, read_parquet

EMBEDDED = "nasa_charge_slice.npz"


def detect(path: Path) -> str:
    """The loader for ``path``: ``calce``, ``nasa``, ``csv``, ``packs`` or ``parquet``."""
    if path.is_dir():
        if next(path.rglob("*.xlsx"), None) is not None:
            return "calce"
        if next(path.rglob("charge_*.csv"), None) is not None:
            return "nasa"
        raise DataError(
            path, "<folder>", "no CALCE .xlsx workbook and no NASA-style charge_<k>.csv in the folder"
        )
    suffix = path.suffix.lower()
    kinds = {".xlsx": "calce", ".csv": "csv", ".mat": "packs", ".parquet": "parquet", ".pq": "parquet"}
    if suffix not in kinds:
        raise DataError(
            path,
            "<file>",
            f"unknown format {suffix or '(no suffix)'}: expected .xlsx, .csv, .mat, .parquet or a folder",
        )
    return kinds[suffix]


def embedded_curves() -> list[ChargeCurve]:
    """The shipped NASA slice as charge curves (10 s grid)."""
    with resources.as_file(resources.files("ssl_plugin_battery") / "data_files" / EMBEDDED) as p:
        z = np.load(p, allow_pickle=False)
        grid, offsets = z["grid"].astype(np.float64), z["offsets"]
        cells, cycles, caps, dt = z["cells"], z["cycles"], z["capacity"], float(z["grid_s"])
    curves = []
    for k in range(len(cells)):
        g = grid[offsets[k] : offsets[k + 1]]
        curves.append(make_curve(str(cells[k]), int(cycles[k]), np.arange(len(g)) * dt, g[:, 0], g[:, 1], g[:, 2],
                                 float(caps[k]), NASA_RATED_AH, q=g[:, 3]))  # fmt: skip
    return curves


def load_curves(
    data: str | None, source: str = "auto", labels: str | None = None, rated: float = 0.0
) -> list[ChargeCurve]:
    """Read, validate and label the charge curves of ``data``; print what was inferred once."""
    if data is None:
        curves, kind = embedded_curves(), "embedded NASA PCoE slice"
    else:
        path = Path(data)
        if not path.exists():
            raise DataError(path, "<file>", "file not found")
        kind = detect(path) if source == "auto" else source
        readers = {"calce": lambda: read_calce(path), "nasa": lambda: read_nasa(path),
                   "csv": lambda: read_generic_csv(path, rated or 1.0), "packs": lambda: read_packs(path),
                   "parquet": lambda: read_parquet(path, rated or 1.0)}  # fmt: skip
        curves = readers[kind]()
        if labels is not None:
            apply_labels(Path(labels), curves)
        if rated > 0:
            for c in curves:
                c.rated = rated
    if not curves:
        raise DataError(data or EMBEDDED, "<curves>", "no charge curve found")
    describe(kind, curves)
    return curves


def describe(kind: str, curves: list[ChargeCurve]) -> None:
    """One line on stderr: what the loader inferred."""
    cells = sorted({c.cell for c in curves})
    labelled = sum(np.isfinite(c.capacity) for c in curves)
    temp = "with" if any(c.temp is not None for c in curves) else "no"
    step = np.median([np.median(np.diff(c.t)) for c in curves if len(c.t) > 1])
    print(f"battery: {kind}: {len(cells)} cells ({', '.join(cells[:6])}{' ...' if len(cells) > 6 else ''}), "
          f"{len(curves)} charge curves ({labelled} labelled), current in A with + = charge, {temp} temperature, "
          f"median sampling {step:g} s", file=sys.stderr)  # fmt: skip
