"""Series loaders (series.py): formats, validation and each bad input."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np
import pytest
from ssl_plugin_traffic.series import load_series

from ssl_core.errors import DataError
from ssl_core.testing.data import shared_data_dir


def write_csv(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(rows) + "\n")
    return path


def test_tgcn_csv_matrix(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "speed.csv", ["a,b,c", "1,2,3", "4,0,6", "7,8,9"])
    series = load_series(path, start="2024-01-01T00:00", interval_minutes=15)
    assert series.values.shape == (3, 3) and series.sensor_ids == ["a", "b", "c"]
    assert series.interval_minutes == 15 and series.steps_per_day == 96
    assert series.values[1, 1] == 0 and series.missing_fraction == pytest.approx(1 / 9)


def test_nan_and_inf_are_masked_as_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "speed.csv", ["a,b", "1,nan", "inf,4", "5,6"])
    series = load_series(path)
    assert np.isfinite(series.values).all()
    assert series.values[0, 1] == 0 and series.values[1, 0] == 0
    assert series.missing_fraction == pytest.approx(2 / 6)


def test_csv_timestamps_out_of_order(tmp_path: Path) -> None:
    rows = ["timestamp,a", "2024-01-01T00:05,1", "2024-01-01T00:00,2", "2024-01-01T00:10,3"]
    with pytest.raises(DataError, match="timestamps: out of order"):
        load_series(write_csv(tmp_path / "s.csv", rows))


def test_csv_irregular_timestamps(tmp_path: Path) -> None:
    rows = ["timestamp,a", "2024-01-01T00:00,1", "2024-01-01T00:05,2", "2024-01-01T00:15,3"]
    with pytest.raises(DataError, match="irregular"):
        load_series(write_csv(tmp_path / "s.csv", rows))


def test_negative_readings(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="negative"):
        load_series(write_csv(tmp_path / "s.csv", ["a,b", "1,-2", "3,4"]))


def test_ragged_and_non_numeric_csv(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="line 3"):
        load_series(write_csv(tmp_path / "s.csv", ["a,b", "1,2", "3"]))
    with pytest.raises(DataError, match="non-numeric"):
        load_series(write_csv(tmp_path / "t.csv", ["a,b", "1,x", "3,4"]))


def test_unknown_format_and_pickle(tmp_path: Path) -> None:
    (tmp_path / "s.parquet").write_bytes(b"x")
    (tmp_path / "adj.pkl").write_bytes(b"x")
    with pytest.raises(DataError, match="unknown series format"):
        load_series(tmp_path / "s.parquet")
    with pytest.raises(DataError, match="pickle"):
        load_series(tmp_path / "adj.pkl")
    with pytest.raises(DataError, match="does not exist"):
        load_series(tmp_path / "missing.csv")


def test_npz_channels_and_missing_key(tmp_path: Path) -> None:
    data = np.arange(1, 2 * 3 * 4 * 3 + 1, dtype=np.float64).reshape(2 * 4, 3, 3)
    np.savez(tmp_path / "PEMS08.npz", data=data)
    series = load_series(tmp_path / "PEMS08.npz", channel=2)
    np.testing.assert_allclose(series.values, data[:, :, 2])
    assert str(series.timestamps[0]) == "2016-07-01T00:00"  # published start of PEMS08
    with pytest.raises(DataError, match="channel 5"):
        load_series(tmp_path / "PEMS08.npz", channel=5)
    np.savez(tmp_path / "other.npz", speed=data)
    with pytest.raises(DataError, match="data: missing key"):
        load_series(tmp_path / "other.npz")


def test_dcrnn_hdf5_layout(tmp_path: Path) -> None:
    stamps = (np.datetime64("2012-03-01T00:00") + np.arange(4) * np.timedelta64(5, "m")).astype(
        "datetime64[ns]"
    )
    values = np.array([[60.0, 0.0], [61.0, 50.0], [62.0, 51.0], [63.0, 52.0]])
    with h5py.File(tmp_path / "metr-la.h5", "w") as fh:
        fh["df/block0_values"] = values
        fh["df/axis0"] = np.array([b"773869", b"767541"])
        fh["df/axis1"] = stamps.astype(np.int64)
    series = load_series(tmp_path / "metr-la.h5")
    assert series.sensor_ids == ["773869", "767541"] and series.interval_minutes == 5
    np.testing.assert_allclose(series.values, values)
    with h5py.File(tmp_path / "bad.h5", "w") as fh:
        fh["df/block0_values"] = values
        fh["df/axis0"] = np.array([b"a", b"b"])
        fh["df/axis1"] = stamps[::-1].astype(np.int64)
    with pytest.raises(DataError, match="out of order"):
        load_series(tmp_path / "bad.h5")
    (tmp_path / "corrupt.h5").write_bytes(b"not hdf5")
    with pytest.raises(DataError, match="HDF5"):
        load_series(tmp_path / "corrupt.h5")


@pytest.mark.data
def test_real_los_loop_and_sz_taxi() -> None:
    root = shared_data_dir("traffic")
    los = load_series(root / "los_loop" / "los_speed.csv")
    assert los.values.shape == (2016, 207) and los.interval_minutes == 5
    assert str(los.timestamps[0]) == "2012-03-01T00:00" and 1.0 <= los.values.max() <= 70.0
    sz = load_series(root / "sz_taxi" / "SZ_taxi.npz")
    assert sz.values.shape == (2976, 156) and sz.interval_minutes == 15
    assert 0.2 < sz.missing_fraction < 0.3  # about a quarter of SZ-taxi readings are 0
