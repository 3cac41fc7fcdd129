"""Per-sensor windows of a traffic series with time-of-day and day-type labels (``traffic/frames``).

Samples are windows of ``window`` consecutive readings of one sensor, standardised with a
:class:`~ssl_plugin_traffic.windows.Scaler` fitted on valid training readings; missing readings
(stored as 0 by :func:`~ssl_plugin_traffic.data.load_series`) are set to the scaler mean, i.e. 0
after standardisation. Labels come from the series' own timestamps at the window's last step: the
time-of-day bucket and the day type (weekday 0 / weekend 1), so the steps per day and the first
weekday are read from the data, never assumed.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor

from ..data import TrafficSeries
from ..windows import Scaler, time_of_day, weekday

__all__ = ["time_labels", "sensor_windows", "pair_windows"]


def time_labels(timestamps: np.ndarray, interval_minutes: int, tod_buckets: int) -> tuple[Tensor, Tensor]:
    """Time-of-day bucket (``tod_buckets`` equal parts of the day) and weekend flag of each timestamp."""
    steps_per_day = (24 * 60) // interval_minutes
    tod = time_of_day(timestamps, interval_minutes) * tod_buckets // steps_per_day
    weekend = weekday(timestamps) >= 5
    return torch.from_numpy(tod).long(), torch.from_numpy(weekend).long()


def sensor_windows(
    series: TrafficSeries,
    sensors: Tensor,
    *,
    window: int,
    stride: int,
    tod_buckets: int,
    scaler: Scaler,
) -> dict[str, Tensor]:
    """Standardised windows ``x`` (M, window) of ``sensors`` with labels ``tod``, ``daytype``, ``sensor``.

    Windows start every ``stride`` steps; ``M = len(sensors) * n_starts``, sensor-major (vectorised
    ``unfold``).

    Raises:
        ValueError: ``window`` outside ``[2, T]`` or ``stride < 1``.
    """
    t = series.values.shape[0]
    if window < 2 or window > t:
        raise ValueError(f"window must be in [2, {t}], got {window}")
    if stride < 1:
        raise ValueError(f"stride must be >= 1, got {stride}")
    raw = torch.from_numpy(series.values)[:, sensors].T
    series_std = torch.where(raw > 0, scaler.transform(raw), torch.zeros(()))
    x = series_std.unfold(1, window, stride)
    n_sensors, n_starts = x.shape[:2]
    ends = np.arange(n_starts) * stride + window - 1
    tod, daytype = time_labels(series.timestamps[ends], series.interval_minutes, tod_buckets)
    return {
        "x": x.reshape(-1, window).contiguous(),
        "tod": tod.repeat(n_sensors),
        "daytype": daytype.repeat(n_sensors),
        "sensor": sensors.repeat_interleave(n_starts),
    }


def pair_windows(x: Tensor, n_sensors: int, seed: int) -> Tensor:
    """For each window of ``x`` (sensor-major), the window of a random other sensor over the same span."""
    n_starts = len(x) // n_sensors
    gen = torch.Generator().manual_seed(seed)
    partner = torch.randint(n_sensors - 1, (len(x),), generator=gen)
    own = torch.arange(len(x)) // n_starts
    partner = partner + (partner >= own).long()
    return x.reshape(n_sensors, n_starts, -1)[partner, torch.arange(len(x)) % n_starts]
