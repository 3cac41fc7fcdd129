"""The run's data object: splits, scaler and anchor fitted on training data, and its saved state."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ssl_plugin_traffic.config import STSSDLArgs
from ssl_plugin_traffic.data import TrafficData, build_data, restore_data
from ssl_plugin_traffic.evaluate import baseline_predictions, input_deviation
from traffic_helpers import make_series, ring_adjacency

from ssl_core.errors import DataError
from ssl_core.testing.data import shared_data_dir


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
    root = shared_data_dir("traffic")
    los = build_data(STSSDLArgs(data=str(root / "los_loop" / "los_speed.csv")))  # graph found next to it
    assert len(los.starts["train"]) == 1395 and not los.weekly  # 7 days: daily slots (peers.md)
    assert los.table.shape == (288, 207)
    sz = build_data(STSSDLArgs(data=str(root / "sz_taxi" / "SZ_taxi.npz")))
    assert len(sz.starts["train"]) == 2067 and sz.weekly and sz.table.shape == (7 * 96, 156)
    assert np.all(sz.table > 0)  # zeros never enter the anchor


def test_state_round_trip_keeps_the_test_windows_and_fitted_state(tmp_path) -> None:
    data = TrafficData.build(make_series(steps=24 * 20, nodes=4), ring_adjacency(4), in_len=6, out_len=3)
    torch.save(data.state_dict(), tmp_path / "state.pt")
    state = torch.load(tmp_path / "state.pt", weights_only=True)  # loadable without pickle
    back = restore_data(STSSDLArgs(), state)
    assert back.train is None and set(back.starts) == {"test"} and "train" not in state
    assert len(back.values) == len(data.starts["test"]) + 6 + 3 - 1  # only the test stretch is kept
    for key, value in data.tensors("test").items():
        torch.testing.assert_close(back.tensors("test")[key], value)
    for name, pred in baseline_predictions(data, "test").items():
        torch.testing.assert_close(baseline_predictions(back, "test")[name], pred)
    torch.testing.assert_close(input_deviation(back, "test"), input_deviation(data, "test"))
    assert back.scaler == data.scaler and back.weekly == data.weekly and back.sensor_ids == data.sensor_ids
    np.testing.assert_array_equal(back.table, data.table)
    np.testing.assert_array_equal(back.adj, data.adj)
    assert (back.in_len, back.out_len, back.steps_per_day) == (6, 3, 24)


def test_graph_is_found_next_to_the_data_or_named(tmp_path) -> None:
    (tmp_path / "speed.csv").write_text("a,b\n" + "\n".join("50,51" for _ in range(40)) + "\n")
    np.savetxt(tmp_path / "my_adj.csv", np.eye(2), delimiter=",")
    data = build_data(STSSDLArgs(data=str(tmp_path / "speed.csv"), in_len=3, out_len=2))
    np.testing.assert_array_equal(data.adj, np.eye(2))
    np.savetxt(tmp_path / "other_adj.csv", np.ones((2, 2)), delimiter=",")
    with pytest.raises(DataError, match="pass --graph"):
        build_data(STSSDLArgs(data=str(tmp_path / "speed.csv"), in_len=3, out_len=2))
    named = STSSDLArgs(
        data=str(tmp_path / "speed.csv"), graph=str(tmp_path / "other_adj.csv"), in_len=3, out_len=2
    )
    np.testing.assert_array_equal(build_data(named).adj, np.ones((2, 2)))
