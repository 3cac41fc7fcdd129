"""Property tests (hypothesis) of the traffic loader: any CSV / .npz loads or is a ``DataError``; readings round-trip."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ssl_plugin_traffic.series import load_series

from ssl_core.errors import DataError

SETTINGS = settings(max_examples=50, deadline=None, database=None)  # nothing written in the tree
READING = st.floats(1.0, 200.0, allow_nan=False, width=32)


def _load(content: bytes, suffix: str):  # noqa: ANN202 - TrafficSeries
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"x{suffix}"
        path.write_bytes(content)
        return load_series(path)


@SETTINGS
@given(st.binary(max_size=200), st.sampled_from([".csv", ".npz"]))
def test_any_bytes_load_or_are_a_data_error(content: bytes, suffix: str) -> None:
    try:
        series = _load(content, suffix)
    except DataError as exc:
        assert f"x{suffix}" in str(exc)
        return
    assert series.values.ndim == 2 and len(series.sensor_ids) == series.values.shape[1]


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(st.lists(READING, min_size=n, max_size=n), min_size=2, max_size=12)
    )
)
def test_csv_readings_round_trip(rows: list[list[float]]) -> None:
    ids = [f"s{i}" for i in range(len(rows[0]))]
    text = ",".join(ids) + "\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in rows)
    series = _load(text.encode(), ".csv")
    assert series.sensor_ids == ids
    assert np.array_equal(series.values, np.array(rows, dtype=np.float32))
    steps = np.diff(series.timestamps).astype("timedelta64[m]").astype(int)
    assert len(series.timestamps) == len(rows) and (steps == steps[0]).all() and steps[0] > 0


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda n: st.lists(st.lists(READING, min_size=n, max_size=n), min_size=2, max_size=12)
    )
)
def test_npz_readings_round_trip(rows: list[list[float]]) -> None:
    buffer = io.BytesIO()
    np.savez(buffer, data=np.array(rows, dtype=np.float32)[:, :, None])
    series = _load(buffer.getvalue(), ".npz")
    assert np.array_equal(series.values, np.array(rows, dtype=np.float32))
