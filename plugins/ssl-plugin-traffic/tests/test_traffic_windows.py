"""Splits, scaler and the history-average anchor (training period only, zeros excluded)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ssl_plugin_traffic.windows import TrafficData, history_slots, history_table, weekday
from traffic_helpers import make_series, ring_adjacency

from ssl_core.errors import DataError


def test_weekday_and_slots() -> None:
    stamps = np.datetime64("2024-01-01T00:00", "m") + np.arange(3) * np.timedelta64(1, "D")
    np.testing.assert_array_equal(weekday(stamps), [0, 1, 2])  # 2024-01-01 was a Monday
    hourly = np.datetime64("2024-01-02T05:00", "m") + np.arange(2) * np.timedelta64(60, "m")
    np.testing.assert_array_equal(history_slots(hourly, 60, weekly=False), [5, 6])
    np.testing.assert_array_equal(history_slots(hourly, 60, weekly=True), [24 + 5, 24 + 6])


def test_history_table_excludes_zeros_and_test_period() -> None:
    values = np.array([[2.0, 0.0], [4.0, 3.0], [6.0, 0.0], [100.0, 100.0]], dtype=np.float32)
    slots = np.array([0, 1, 0, 0])
    table = history_table(values, slots, num_slots=2, end=3)  # last row is outside training
    np.testing.assert_allclose(table, [[4.0, 3.0], [4.0, 3.0]])  # slot 0 sensor 1: no valid -> sensor mean


def test_build_splits_scaler_and_anchor() -> None:
    series = make_series(steps=400, nodes=5, interval=60)
    data = TrafficData.build(series, ring_adjacency(), in_len=12, out_len=12)
    count = 400 - 24 + 1
    assert sum(len(v) for v in data.starts.values()) == count
    assert data.starts["train"][-1] < data.starts["val"][0] < data.starts["test"][0]
    end = len(data.starts["train"]) - 1 + 24
    assert end < 14 * 24 and not data.weekly  # under two weeks of training -> daily slots
    train = series.values[:end]
    assert data.scaler.mean == pytest.approx(float(train[train > 0].mean()), rel=1e-5)
    tensors = data.tensors("test")
    assert tensors["x"].shape == (len(data.starts["test"]), 12, 5)
    raw = torch.from_numpy(series.values[data.starts["test"][0] + 12])
    torch.testing.assert_close(tensors["y"][0, 0], raw)


def test_weekly_when_training_spans_two_weeks() -> None:
    long = TrafficData.build(make_series(steps=24 * 30, nodes=3), ring_adjacency(3))
    assert long.weekly and long.table.shape == (7 * 24, 3)
    short = TrafficData.build(make_series(steps=24 * 10, nodes=3), ring_adjacency(3))
    assert not short.weekly and short.table.shape == (24, 3)


def test_too_short_series() -> None:
    with pytest.raises(DataError, match="fewer than one window"):
        TrafficData.build(make_series(steps=20, nodes=3), ring_adjacency(3))
    with pytest.raises(DataError, match="split empty"):
        TrafficData.build(make_series(steps=25, nodes=3), ring_adjacency(3))


@pytest.mark.data
def test_real_splits_and_anchor_slots() -> None:
    from ssl_plugin_traffic.recipes import STSSDLArgs, build_data

    from ssl_core.testing.data import shared_data_dir

    root = shared_data_dir("traffic")
    los = build_data(STSSDLArgs(data=str(root / "los_loop" / "los_speed.csv")))  # graph found next to it
    assert len(los.starts["train"]) == 1395 and not los.weekly  # 7 days: daily slots (peers.md)
    assert los.table.shape == (288, 207)
    sz = build_data(STSSDLArgs(data=str(root / "sz_taxi" / "SZ_taxi.npz")))
    assert len(sz.starts["train"]) == 2067 and sz.weekly and sz.table.shape == (7 * 96, 156)
    assert np.all(sz.table > 0)  # zeros never enter the anchor
