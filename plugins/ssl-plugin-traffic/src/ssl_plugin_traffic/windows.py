"""Window arithmetic: the train-only scaler, time slots and the history-average anchor table.

Following the official ST-SSDL data preparation (``generate_training_data_his_*.py``): samples are
``in_len`` steps of input and ``out_len`` steps of target, split chronologically over samples
(70/10/20 by default). The history-average anchor of each sensor and time slot is the mean of the
*training-period* readings in that slot, zeros/missing excluded; the slot is the weekly slot
(weekday x steps-per-day) when the training period spans two weeks or more, the time-of-day slot
otherwise. A slot with no valid training reading for a sensor falls back to that sensor's
training mean. The scaler (z-score) is fitted on valid training readings only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from torch import Tensor

__all__ = ["Scaler", "time_of_day", "weekday", "history_slots", "history_table"]


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
