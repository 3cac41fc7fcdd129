"""Time slots and the history-average table (training period only, zeros excluded)."""

from __future__ import annotations

import numpy as np
from ssl_plugin_traffic.windows import history_slots, history_table, weekday


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
