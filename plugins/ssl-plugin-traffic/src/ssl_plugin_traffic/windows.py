"""Sliding windows, chronological splits, the train-only scaler and the history-average anchor.

Following the official ST-SSDL data preparation (``generate_training_data_his_*.py``): samples are
``in_len`` steps of input and ``out_len`` steps of target, split chronologically over samples
(70/10/20 by default). The history-average anchor of each sensor and time slot is the mean of the
*training-period* readings in that slot, zeros/missing excluded; the slot is the weekly slot
(weekday x steps-per-day) when the training period spans two weeks or more, the time-of-day slot
otherwise. A slot with no valid training reading for a sensor falls back to that sensor's
training mean. The scaler (z-score) is fitted on valid training readings only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import Tensor

from ssl_core.errors import DataError

from .data import TrafficSeries

__all__ = ["Scaler", "time_of_day", "weekday", "history_slots", "history_table", "TrafficData"]

SPLITS = ("train", "val", "test")


@dataclass
class Scaler:
    """z-score of readings: ``(x - mean) / std``."""

    mean: float
    std: float

    @classmethod
    def fit(cls, readings: np.ndarray) -> Scaler:
        """z-score of the valid (``> 0``) ``readings``; missing readings (stored as 0) are excluded."""
        valid = readings[readings > 0]
        if valid.size == 0:
            raise ValueError("Scaler.fit: no valid (> 0) reading")
        return cls(float(valid.mean()), float(max(valid.std(), 1e-6)))

    def transform(self, x: Tensor) -> Tensor:
        return (x - self.mean) / self.std

    def inverse(self, x: Tensor) -> Tensor:
        return x * self.std + self.mean


def time_of_day(timestamps: np.ndarray, interval_minutes: int) -> np.ndarray:
    """Slot of the day ``(T,)`` (0 .. steps_per_day - 1)."""
    minutes = (timestamps - timestamps.astype("datetime64[D]")) // np.timedelta64(1, "m")
    return (minutes // interval_minutes).astype(np.int64)


def weekday(timestamps: np.ndarray) -> np.ndarray:
    """Day of week ``(T,)`` with Monday = 0 (1970-01-01 was a Thursday)."""
    return (timestamps.astype("datetime64[D]").astype(np.int64) + 3) % 7


def history_slots(timestamps: np.ndarray, interval_minutes: int, weekly: bool) -> np.ndarray:
    """Anchor slot of each timestep: weekly (``weekday * spd + tod``) or daily (``tod``)."""
    tod = time_of_day(timestamps, interval_minutes)
    if not weekly:
        return tod
    return weekday(timestamps) * ((24 * 60) // interval_minutes) + tod


def history_table(values: np.ndarray, slots: np.ndarray, num_slots: int, end: int) -> np.ndarray:
    """Mean of valid readings ``values[:end]`` per (slot, sensor) -> ``(num_slots, N)`` float32."""
    train, train_slots = values[:end].astype(np.float64), slots[:end]
    valid = train > 0
    sums = np.zeros((num_slots, values.shape[1]))
    counts = np.zeros_like(sums)
    np.add.at(sums, train_slots, np.where(valid, train, 0.0))
    np.add.at(counts, train_slots, valid)
    sensor_mean = np.where(valid, train, 0.0).sum(0) / np.maximum(valid.sum(0), 1)
    table = np.where(counts > 0, sums / np.maximum(counts, 1), sensor_mean[None, :])
    return table.astype(np.float32)


@dataclass
class TrafficData:
    """A series cut into windows with its splits, scaler and history-average table.

    Attributes:
        series: the validated readings.
        adj: ``(N, N)`` raw adjacency.
        in_len, out_len: window lengths.
        starts: first timestep of each sample, per split.
        scaler: fitted on valid training readings.
        weekly: whether anchor slots are weekly.
        slots: anchor slot of each timestep; ``table``: ``(num_slots, N)`` anchor values.
    """

    series: TrafficSeries
    adj: np.ndarray
    in_len: int
    out_len: int
    starts: dict[str, np.ndarray] = field(default_factory=dict)
    scaler: Scaler = field(default_factory=lambda: Scaler(0.0, 1.0))
    weekly: bool = False
    slots: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    table: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))

    @classmethod
    def build(
        cls,
        series: TrafficSeries,
        adj: np.ndarray,
        in_len: int = 12,
        out_len: int = 12,
        fractions: tuple[float, float] = (0.7, 0.1),
    ) -> TrafficData:
        """Cut windows, split 70/10/20 chronologically, fit scaler and anchor on training data."""
        total = series.values.shape[0]
        count = total - in_len - out_len + 1
        if count <= 0:
            raise DataError(
                series.source, "timesteps", f"{total} timesteps is fewer than one window ({in_len}+{out_len})"
            )
        n_train, n_val = int(round(count * fractions[0])), int(round(count * fractions[1]))
        bounds = (0, n_train, n_train + n_val, count)
        starts = {name: np.arange(bounds[i], bounds[i + 1]) for i, name in enumerate(SPLITS)}
        for name, idx in starts.items():
            if idx.size == 0:
                raise DataError(series.source, "timesteps", f"{total} timesteps leave the {name} split empty")
        end = n_train - 1 + in_len + out_len  # last timestep seen by a training sample
        spd = series.steps_per_day
        weekly = end >= 14 * spd
        slots = history_slots(series.timestamps, series.interval_minutes, weekly)
        table = history_table(series.values, slots, spd * (7 if weekly else 1), end)
        scaler = Scaler.fit(series.values[:end])
        return cls(series, adj, in_len, out_len, starts, scaler, weekly, slots, table)

    @property
    def tod(self) -> np.ndarray:
        """Time-of-day slot of each timestep."""
        return time_of_day(self.series.timestamps, self.series.interval_minutes)

    def tensors(self, split: str) -> dict[str, Tensor]:
        """Per-sample tensors of one split: ``x`` (scaled), ``y`` (raw), ``tod_x``, ``tod_y``, ``slot_x``."""
        starts = self.starts[split]
        idx_x = starts[:, None] + np.arange(self.in_len)[None, :]
        idx_y = starts[:, None] + self.in_len + np.arange(self.out_len)[None, :]
        values = torch.from_numpy(self.series.values)
        tod = torch.from_numpy(self.tod)
        slots = torch.from_numpy(self.slots)
        tx, ty = torch.from_numpy(idx_x), torch.from_numpy(idx_y)
        return {
            "x": self.scaler.transform(values[tx]),
            "y": values[ty],
            "tod_x": tod[tx],
            "tod_y": tod[ty],
            "slot_x": slots[tx],
        }
