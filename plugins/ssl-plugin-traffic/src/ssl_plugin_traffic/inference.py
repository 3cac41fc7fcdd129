"""Inputs for ``forecast`` / ``embed`` on new series, checked against a trained run, and atomic writes.

Everything here uses the run's restored data object (``loaded_run.recipe.data``: scaler, sensors,
time step, window lengths), never the training files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.errors import DataError
from ssl_core.utils import atomic_writer

from .data import TrafficData
from .series import TrafficSeries, load_series
from .windows import history_slots, time_of_day

__all__ = ["read_input", "window_tensors", "embed_input", "forecast_series", "write_forecast"]


def read_input(
    path: Path, data: TrafficData, *, start: str | None = None, interval: int | None = None
) -> TrafficSeries:
    """Load a series for a trained run: same sensors and step, at least one input window."""
    series = load_series(path, start=start, interval_minutes=interval or data.interval_minutes)
    if series.num_nodes != data.num_nodes:
        raise DataError(
            path, "sensors", f"{series.num_nodes} sensors, the model was trained on {data.num_nodes}"
        )
    if series.interval_minutes != data.interval_minutes:
        raise DataError(
            path,
            "timestamps",
            f"{series.interval_minutes}-minute steps, the model uses {data.interval_minutes}",
        )
    if len(series.values) < data.in_len:
        raise DataError(
            path, "timesteps", f"{len(series.values)} timesteps is fewer than one window ({data.in_len})"
        )
    return series


def window_tensors(series: TrafficSeries, data: TrafficData, starts: np.ndarray) -> dict[str, Tensor]:
    """Model inputs for windows starting at ``starts`` (targets' time slots follow the inputs)."""
    step = np.timedelta64(series.interval_minutes, "m")
    stamps = np.concatenate(
        [series.timestamps, series.timestamps[-1] + step * np.arange(1, data.out_len + 1)]
    )
    tod = time_of_day(stamps, series.interval_minutes)
    slots = history_slots(stamps, series.interval_minutes, data.weekly)
    idx_x = starts[:, None] + np.arange(data.in_len)[None, :]
    idx_y = idx_x[:, -1:] + 1 + np.arange(data.out_len)[None, :]
    values = torch.from_numpy(series.values[idx_x])
    return {
        "x": data.scaler.transform(values),
        "tod_x": torch.from_numpy(tod[idx_x]),
        "tod_y": torch.from_numpy(tod[idx_y]),
        "slot_x": torch.from_numpy(slots[idx_x]),
    }


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT: every input window of a series file (same sensors and step as the run)."""
    data: TrafficData = run.recipe.data
    series = read_input(path, data)
    tensors = window_tensors(series, data, np.arange(len(series.values) - data.in_len + 1))
    return {"x": tensors["x"], "tod_x": tensors["tod_x"]}


def forecast_series(module: Any, series: TrafficSeries, data: TrafficData) -> tuple[np.ndarray, np.ndarray]:
    """Forecast ``(horizon, N)`` after the last input timestep, with the forecast timestamps."""
    batch = window_tensors(series, data, np.asarray([len(series.values) - data.in_len]))
    pred = module.predict(batch)[0].numpy()
    step = np.timedelta64(series.interval_minutes, "m")
    return pred, series.timestamps[-1] + step * np.arange(1, data.out_len + 1)


def write_forecast(path: Path, forecast: np.ndarray, stamps: np.ndarray, sensor_ids: list[str]) -> Path:
    """Write ``.npz`` (keys forecast, timestamps, sensor_ids) or ``.csv`` atomically."""
    suffix = path.suffix.lower()
    if suffix not in (".npz", ".csv"):
        raise DataError(path, "format", f"unknown output format '{suffix}' (use .npz or .csv)")
    with atomic_writer(path) as fh:
        if suffix == ".npz":
            np.savez(
                fh,
                forecast=forecast,
                timestamps=stamps.astype("datetime64[m]"),
                sensor_ids=np.asarray(sensor_ids),
            )
        else:
            lines = ["timestamp," + ",".join(sensor_ids)]
            lines += [f"{t}," + ",".join(f"{v:.4f}" for v in row) for t, row in zip(stamps, forecast)]
            fh.write(("\n".join(lines) + "\n").encode())
    return path
