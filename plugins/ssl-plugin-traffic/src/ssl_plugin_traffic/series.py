"""Traffic time-series loaders for the formats the field uses, validated on load.

Supported series formats (readings ``(T, N)`` for ``T`` timesteps and ``N`` sensors):

* DCRNN-style HDF5 (``metr-la.h5``, ``pems-bay.h5``): a pandas ``df`` written with ``to_hdf``;
  read with ``h5py`` (no pandas) from ``df/block0_values``, ``df/axis0`` (sensor ids) and
  ``df/axis1`` (timestamps in ns).
* ``.npz``: key ``data`` of shape ``(T, N)`` or ``(T, N, C)`` (PEMS0x, SZ-taxi repack; channel
  ``channel`` is used, 0 = flow for PEMS0x), optional keys ``timestamps`` and ``sensor_ids``.
* T-GCN-style ``.csv`` matrices (``los_speed.csv``, ``sz_speed.csv``): one header row (sensor ids),
  one row per timestep; an optional first column named ``timestamp``/``time``/``date`` holds ISO
  times.

Missing readings: zeros, NaN and +-inf are all *missing*. They are stored as ``0.0`` (the DCRNN
convention), masked in every loss and excluded from history averages and the scaler; they are
never learned as targets. Timestamps, when the file has none, come from ``start`` and
``interval_minutes`` (known files get their published start date).
"""

from __future__ import annotations

import csv
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.errors import DataError

__all__ = ["TrafficSeries", "load_series", "KNOWN_STARTS", "TIME_COLUMNS"]

TIME_COLUMNS = ("timestamp", "time", "date", "datetime")
KNOWN_STARTS: dict[str, tuple[str, int]] = {
    "los_speed": ("2012-03-01T00:00", 5),
    "sz_taxi": ("2015-01-01T00:00", 15),
    "sz_speed": ("2015-01-01T00:00", 15),
    "pems04": ("2018-01-01T00:00", 5),
    "pems08": ("2016-07-01T00:00", 5),
}


@dataclass
class TrafficSeries:
    """Readings of ``N`` sensors over ``T`` regular timesteps.

    Attributes:
        values: ``(T, N)`` float32, missing readings stored as 0.
        timestamps: ``(T,)`` ``datetime64[m]``, strictly increasing with a constant step.
        sensor_ids: ``N`` sensor identifiers (strings).
        source: the file it came from (used in error messages).
        missing_fraction: share of readings that were 0, NaN or inf.
    """

    values: np.ndarray
    timestamps: np.ndarray
    sensor_ids: list[str]
    source: str
    missing_fraction: float = 0.0

    @property
    def interval_minutes(self) -> int:
        """Minutes between consecutive readings."""
        return int((self.timestamps[1] - self.timestamps[0]) / np.timedelta64(1, "m"))

    @property
    def steps_per_day(self) -> int:
        """Timesteps per day (288 for 5-minute data)."""
        return (24 * 60) // self.interval_minutes

    @property
    def num_nodes(self) -> int:
        """Number of sensors ``N``."""
        return int(self.values.shape[1])


def _regular_timestamps(start: str, interval_minutes: int, count: int) -> np.ndarray:
    first = np.datetime64(start, "m")
    return first + np.arange(count) * np.timedelta64(int(interval_minutes), "m")


def _known_start(path: Path) -> tuple[str, int] | None:
    stem = path.stem.lower()
    for key, value in KNOWN_STARTS.items():
        if key in stem:
            return value
    return None


def _read_csv(path: Path) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except UnicodeDecodeError as exc:
        raise DataError(path, "<file>", f"not UTF-8 text (byte {exc.start}): is it a CSV file?") from None
    if len(rows) < 2:
        raise DataError(
            path, "rows", f"needs a header and at least one row of readings, got {len(rows)} rows"
        )
    header = [h.strip() for h in rows[0]]
    has_time = header[0].lower() in TIME_COLUMNS
    ids = header[1:] if has_time else header
    times: list[str] = []
    data: list[list[str]] = []
    for i, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise DataError(path, f"line {i}", f"has {len(row)} fields, header has {len(header)}")
        if has_time:
            times.append(row[0])
            row = row[1:]
        data.append(row)
    try:
        values = np.asarray(data, dtype=np.float64)
    except ValueError as err:
        raise DataError(path, "values", f"non-numeric reading ({err})") from None
    stamps = None
    if has_time:
        try:
            stamps = np.asarray(times, dtype="datetime64[m]")
        except ValueError as err:
            raise DataError(path, header[0], f"unparseable timestamp ({err})") from None
    return values, ids, stamps


def _open_npz(path: Path) -> Any:
    """``np.load(path)`` of an ``.npz`` archive; a file that is not one is a :class:`DataError`."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as err:
        raise DataError(path, "<file>", f"not a readable .npz archive ({type(err).__name__})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise DataError(path, "<file>", "a single .npy array, not an .npz archive with a 'data' key")
    return archive


def _read_npz(path: Path, channel: int) -> tuple[np.ndarray, list[str] | None, np.ndarray | None]:
    with _open_npz(path) as archive:
        if "data" not in archive.files:
            raise DataError(path, "data", f"missing key (found {sorted(archive.files)})")
        data = archive["data"]
        ids = [str(s) for s in archive["sensor_ids"]] if "sensor_ids" in archive.files else None
        stamps = archive["timestamps"].astype("datetime64[m]") if "timestamps" in archive.files else None
    if data.ndim == 3:
        if not 0 <= channel < data.shape[2]:
            raise DataError(path, "data", f"channel {channel} out of range for {data.shape[2]} channels")
        data = data[:, :, channel]
    if data.ndim != 2:
        raise DataError(path, "data", f"expected (T, N) or (T, N, C), got shape {data.shape}")
    return data.astype(np.float64), ids, stamps


def _read_h5(path: Path) -> tuple[np.ndarray, list[str], np.ndarray]:
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            if "df" not in handle:
                raise DataError(path, "df", f"missing pandas 'df' group (found {sorted(handle.keys())})")
            group = handle["df"]
            values = np.asarray(group["block0_values"], dtype=np.float64)
            ids = [v.decode() if isinstance(v, bytes) else str(v) for v in group["axis0"][()]]
            stamps = np.asarray(group["axis1"][()], dtype="datetime64[ns]").astype("datetime64[m]")
    except OSError as err:
        raise DataError(path, "file", f"not a readable HDF5 file ({err})") from None
    except KeyError as err:
        raise DataError(path, "df", f"missing dataset {err}") from None
    return values, ids, stamps


def _refuse_dead_sensors(path: Path, missing: np.ndarray, ids: list[str]) -> None:
    """Refuse sensors without one valid reading: nothing to learn from or score, and the scaler ignores them."""
    dead = np.flatnonzero(missing.all(axis=0))
    if dead.size:
        others = f" ({dead.size} such sensors: {', '.join(ids[j] for j in dead[:5])}{', ...' if dead.size > 5 else ''})"
        raise DataError(
            path,
            f"sensor {ids[int(dead[0])]}",
            "every reading of this sensor is missing (0, NaN or inf)"
            + (others if dead.size > 1 else "")
            + "; remove its column (and its row and column in the graph)",
        )


def _validate(path: Path, values: np.ndarray, ids: list[str], stamps: np.ndarray) -> tuple[np.ndarray, float]:
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 1:
        raise DataError(path, "values", f"expected at least 2 timesteps x 1 sensor, got shape {values.shape}")
    if len(ids) != values.shape[1]:
        raise DataError(path, "sensor_ids", f"{len(ids)} ids for {values.shape[1]} sensor columns")
    if len(stamps) != values.shape[0]:
        raise DataError(path, "timestamps", f"{len(stamps)} timestamps for {values.shape[0]} rows")
    steps = np.diff(stamps.astype(np.int64))
    if np.any(steps <= 0):
        bad = int(np.argmax(steps <= 0)) + 1
        raise DataError(path, "timestamps", f"out of order or repeated at row {bad} ({stamps[bad]})")
    if np.any(steps != steps[0]):
        bad = int(np.argmax(steps != steps[0])) + 1
        raise DataError(path, "timestamps", f"irregular step at row {bad}: expected a constant interval")
    if steps[0] > 24 * 60 or (24 * 60) % int(steps[0]) != 0:
        raise DataError(path, "timestamps", f"interval of {int(steps[0])} min does not divide a day")
    if np.any(values[np.isfinite(values)] < 0):
        raise DataError(path, "values", "negative readings (speed/flow must be >= 0)")
    missing = ~np.isfinite(values) | (values == 0)
    if missing.all():
        raise DataError(path, "values", "every reading is missing (0, NaN or inf)")
    _refuse_dead_sensors(path, missing, ids)
    clean = np.where(missing, 0.0, values).astype(np.float32)
    return clean, float(missing.mean())


def load_series(
    path: str | Path,
    *,
    start: str | None = None,
    interval_minutes: int | None = None,
    channel: int = 0,
) -> TrafficSeries:
    """Load and validate a traffic series file (format chosen by its extension).

    Args:
        path: ``.h5``/``.hdf5``, ``.npz`` or ``.csv`` file.
        start: ISO time of the first row when the file has no timestamps (default: the published
            start of known datasets, else ``2000-01-03T00:00``, a Monday).
        interval_minutes: step between rows when the file has no timestamps (default 5, or the
            published step of known datasets).
        channel: channel of a ``(T, N, C)`` npz array.

    Raises:
        DataError: unknown format, wrong shape, negative values, timestamps out of order, ...
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "file", "does not exist")
    suffix = path.suffix.lower()
    stamps: np.ndarray | None
    if suffix in (".h5", ".hdf5"):
        values, ids_h5, stamps = _read_h5(path)
        ids: list[str] | None = ids_h5
    elif suffix == ".npz":
        values, ids, stamps = _read_npz(path, channel)
    elif suffix == ".csv":
        values, ids, stamps = _read_csv(path)
    elif suffix in (".pkl", ".pickle"):
        raise DataError(path, "format", "pickle files are never loaded (unsafe); convert to .npz")
    else:
        raise DataError(path, "format", f"unknown series format '{suffix}' (expected .h5, .npz or .csv)")
    if ids is None:
        ids = [str(i) for i in range(values.shape[1] if values.ndim == 2 else 0)]
    if stamps is None:
        known = _known_start(path)
        default_start, default_step = known if known else ("2000-01-03T00:00", 5)
        stamps = _regular_timestamps(start or default_start, interval_minutes or default_step, len(values))
    clean, missing = _validate(path, values, ids, stamps)
    return TrafficSeries(clean, stamps, list(ids), str(path), missing)
