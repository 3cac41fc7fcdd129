"""Per-sensor windows, calendar labels read from the timestamps, and other-sensor pairing (traffic/frames)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import torch
from ssl_plugin_traffic.data import TrafficSeries, load_series
from ssl_plugin_traffic.frames.windows import pair_windows, sensor_windows, time_labels
from ssl_plugin_traffic.windows import Scaler
from traffic_helpers import make_series


@pytest.mark.parametrize(("start", "interval"), [("2012-03-01T00:00", 5), ("2024-01-06T07:30", 15)])
def test_time_labels_match_calendar(start: str, interval: int) -> None:
    steps = np.arange(0, 9 * 1440 // interval, 37)
    stamps = np.datetime64(start, "m") + steps * np.timedelta64(interval, "m")
    tod, weekend = time_labels(stamps, interval, 4)
    first = dt.datetime.fromisoformat(start)
    for s, t, w in zip(steps.tolist(), tod.tolist(), weekend.tolist()):
        when = first + dt.timedelta(minutes=interval * s)
        assert t == when.hour // 6
        assert w == int(when.weekday() >= 5)


def test_sensor_windows_shapes_values_and_labels() -> None:
    values = np.arange(1, 40 * 3 + 1, dtype=np.float32).reshape(40, 3)
    stamps = np.datetime64("2024-01-05T20:00", "m") + np.arange(40) * np.timedelta64(60, "m")  # a Friday
    series = TrafficSeries(values, stamps, ["a", "b", "c"], "<test>")
    scaler = Scaler(1.0, 2.0)
    w = sensor_windows(series, torch.tensor([0, 2]), window=5, stride=10, tod_buckets=4, scaler=scaler)
    assert w["x"].shape == (2 * 4, 5)
    assert torch.equal(w["x"][5], (torch.from_numpy(values[10:15, 2]) - 1.0) / 2.0)
    assert w["sensor"].tolist() == [0] * 4 + [2] * 4
    # last steps: Fri 24:00 (= Sat 0:00), Sat 10:00, Sat 20:00, Sun 6:00
    assert w["tod"].tolist()[:4] == [0, 1, 3, 1] and w["daytype"].tolist()[:4] == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="window"):
        sensor_windows(series, torch.tensor([0]), window=41, stride=1, tod_buckets=4, scaler=scaler)


def test_missing_readings_become_the_training_mean() -> None:
    series = make_series(steps=200, nodes=4, interval=60)
    series.values[7, 1] = 0.0
    scaler = Scaler.fit(series.values)
    valid = series.values[series.values > 0].astype(np.float64)
    assert scaler.mean == pytest.approx(valid.mean(), rel=1e-6)
    assert scaler.std == pytest.approx(valid.std(), rel=1e-5)
    w = sensor_windows(series, torch.tensor([1]), window=10, stride=1, tod_buckets=4, scaler=scaler)
    assert w["x"][0, 7] == 0.0 and torch.isfinite(w["x"]).all()


def test_pair_windows_same_time_other_sensor() -> None:
    n_sensors, n_starts = 5, 7
    x = torch.arange(n_sensors * n_starts, dtype=torch.float32).reshape(-1, 1).repeat(1, 3)
    paired = pair_windows(x, n_sensors, seed=0)
    idx = paired[:, 0].long()
    assert torch.equal(idx % n_starts, torch.arange(len(x)) % n_starts)
    assert (idx // n_starts != torch.arange(len(x)) // n_starts).all()


def test_los_loop_csv_reads_like_the_former_core_loader(tmp_path) -> None:
    """Known T-GCN files get their published start: Los-loop is 5-minute data from Thu 2012-03-01."""
    path = tmp_path / "los_speed.csv"
    path.write_text("a,b\n1,2\n3.5,4\n")
    series = load_series(path)
    assert series.sensor_ids == ["a", "b"] and np.array_equal(series.values, [[1.0, 2.0], [3.5, 4.0]])
    assert series.steps_per_day == 288 and str(series.timestamps[0]) == "2012-03-01T00:00"
    assert time_labels(series.timestamps, 5, 4)[1].tolist() == [0, 0]  # a Thursday
