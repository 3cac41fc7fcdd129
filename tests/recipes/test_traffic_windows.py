import datetime as dt

import pytest
import torch

from ssl_core.errors import ConfigError, DataError
from ssl_core.recipes.frames_traffic import _pair_windows, resolve_data_path
from ssl_core.recipes.traffic_windows import load_speed_csv, make_windows, time_labels


def _write(tmp_path, text: str):
    path = tmp_path / "speed.csv"
    path.write_text(text)
    return path


def test_load_speed_csv_ok(tmp_path):
    speed, ids = load_speed_csv(_write(tmp_path, "a,b\n1,2\n3.5,4\n"))
    assert ids == ["a", "b"] and torch.equal(speed, torch.tensor([[1.0, 2.0], [3.5, 4.0]]))


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        ("a,b\n1,2\n3\n", "line 3", "has 1 values"),
        ("a,b\n1,x\n", "line 2", "non-numeric"),
        ("a,b\n1,nan\n", "line 2, sensor b", "non-finite"),
        ("a,b\n", "<rows>", "at least one data row"),
    ],
)
def test_load_speed_csv_bad_input(tmp_path, text, field, reason):
    path = _write(tmp_path, text)
    with pytest.raises(DataError) as info:
        load_speed_csv(path)
    assert info.value.file == str(path) and info.value.field == field and reason in info.value.reason


def test_load_speed_csv_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        load_speed_csv(tmp_path / "nope.csv")


def test_time_labels_match_calendar():
    steps = torch.arange(0, 7 * 288, 37)
    tod, weekend = time_labels(steps, 4)
    start = dt.datetime(2012, 3, 1)
    for s, t, w in zip(steps.tolist(), tod.tolist(), weekend.tolist()):
        when = start + dt.timedelta(minutes=5 * s)
        assert t == when.hour // 6
        assert w == int(when.weekday() >= 5)


def test_make_windows_shapes_and_values():
    speed = torch.arange(40 * 3, dtype=torch.float32).reshape(40, 3)
    w = make_windows(speed, torch.tensor([0, 2]), window=5, stride=10, tod_buckets=4, mean=1.0, std=2.0)
    assert w["x"].shape == (2 * 4, 5)
    assert torch.equal(w["x"][5], (speed[10:15, 2] - 1.0) / 2.0)
    assert w["sensor"].tolist() == [0] * 4 + [2] * 4
    with pytest.raises(ValueError, match="window"):
        make_windows(speed, torch.tensor([0]), window=41, stride=1, tod_buckets=4, mean=0.0, std=1.0)


def test_pair_windows_same_time_other_sensor():
    n_sensors, n_starts = 5, 7
    x = torch.arange(n_sensors * n_starts, dtype=torch.float32).reshape(-1, 1).repeat(1, 3)
    paired = _pair_windows(x, n_sensors, seed=0)
    idx = paired[:, 0].long()
    assert torch.equal(idx % n_starts, torch.arange(len(x)) % n_starts)
    assert (idx // n_starts != torch.arange(len(x)) // n_starts).all()


def test_resolve_data_path(monkeypatch, tmp_path):
    monkeypatch.delenv("SSL_DATA_DIR", raising=False)
    with pytest.raises(ConfigError, match="data_path"):
        resolve_data_path(None)
    monkeypatch.setenv("SSL_DATA_DIR", str(tmp_path))
    assert resolve_data_path(None) == tmp_path / "traffic" / "los_loop" / "los_speed.csv"
    assert str(resolve_data_path("x.csv")) == "x.csv"
