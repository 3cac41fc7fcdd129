"""Per-sensor windows of the Los-loop traffic speed series, with time-of-day and day-type labels.

``los_speed.csv`` (T-GCN, Zhao et al. 2020; METR-LA sensors, Mar 1-7 2012): a header of 207 sensor
ids, then one row of speeds (mph) every 5 minutes, 288 rows a day. Samples are windows of
``window`` consecutive steps of one sensor; labels are the time-of-day bucket and the day type
(weekday 0 / weekend 1) of the window's last step. Mar 1 2012 was a Thursday.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import torch
from torch import Tensor

from ssl_core.errors import DataError

STEPS_PER_DAY = 288
FIRST_WEEKDAY = 3  # Monday = 0; 2012-03-01 was a Thursday


def load_speed_csv(path: str | Path) -> tuple[Tensor, list[str]]:
    """Read a ``(T, N)`` float32 speed matrix and the ``N`` sensor ids from a T-GCN style CSV.

    Raises:
        DataError: missing file, empty file, a row of the wrong width, or a non-finite / non-numeric value.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "<file>", "file not found")
    with path.open(newline="") as fh:
        rows = list(csv.reader(fh))
    if len(rows) < 2:
        raise DataError(path, "<rows>", "need a header of sensor ids and at least one data row")
    header = [h.strip() for h in rows[0]]
    values: list[list[float]] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise DataError(
                path, f"line {line_no}", f"has {len(row)} values, header has {len(header)} sensors"
            )
        try:
            parsed = [float(v) for v in row]
        except ValueError as exc:
            raise DataError(path, f"line {line_no}", f"non-numeric value ({exc})") from exc
        bad = next((i for i, v in enumerate(parsed) if not math.isfinite(v)), None)
        if bad is not None:
            raise DataError(path, f"line {line_no}, sensor {header[bad]}", "non-finite speed")
        values.append(parsed)
    return torch.tensor(values, dtype=torch.float32), header


def time_labels(end_steps: Tensor, tod_buckets: int) -> tuple[Tensor, Tensor]:
    """Time-of-day bucket (``tod_buckets`` equal parts of the day) and weekend flag of each step."""
    tod = (end_steps % STEPS_PER_DAY) * tod_buckets // STEPS_PER_DAY
    weekday = (FIRST_WEEKDAY + end_steps // STEPS_PER_DAY) % 7
    return tod.long(), (weekday >= 5).long()


def make_windows(
    speed: Tensor,
    sensors: Tensor,
    *,
    window: int,
    stride: int,
    tod_buckets: int,
    mean: float,
    std: float,
) -> dict[str, Tensor]:
    """Standardised windows ``x`` (M, window) of ``sensors`` with labels ``tod``, ``daytype``, ``sensor``.

    Windows start every ``stride`` steps; ``M = len(sensors) * n_starts`` (vectorised ``unfold``).
    """
    t = speed.shape[0]
    if window < 2 or window > t:
        raise ValueError(f"window must be in [2, {t}], got {window}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    series = (speed[:, sensors].T - mean) / std
    x = series.unfold(1, window, stride)
    n_sensors, n_starts = x.shape[:2]
    ends = torch.arange(n_starts) * stride + window - 1
    tod, daytype = time_labels(ends, tod_buckets)
    return {
        "x": x.reshape(-1, window).contiguous(),
        "tod": tod.repeat(n_sensors),
        "daytype": daytype.repeat(n_sensors),
        "sensor": sensors.repeat_interleave(n_starts),
    }
