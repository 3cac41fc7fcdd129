"""The embedded-default simulator: weekly pattern, day-level demand, incident waves, defaults."""

from __future__ import annotations

import numpy as np
from ssl_plugin_traffic.config import DEFAULT_BATCH, DEFAULT_STEPS, STSSDLArgs
from ssl_plugin_traffic.data import build_data
from ssl_plugin_traffic.simulator import SimulatorConfig, add_wave, hop_distances, simulate


def path_graph(n: int) -> np.ndarray:
    adj = np.zeros((n, n))
    for i in range(n - 1):
        adj[i, i + 1] = 1.0
    return adj


def test_hop_distances_on_a_path_and_unreachable_nodes() -> None:
    adj = np.zeros((5, 5))
    adj[:4, :4] = path_graph(4)
    dist = hop_distances(adj)
    np.testing.assert_array_equal(dist[0, :4], [0, 1, 2, 3])
    assert dist[0, 4] == 5 and dist[4, 4] == 0 and (dist == dist.T).all()


def test_incident_wave_reaches_hop_k_k_steps_later_at_0_6_power_k() -> None:
    out = np.zeros((20, 6))
    add_wave(out, hop_distances(path_graph(6)), node=1, t0=3, length=4, severity=0.5)
    ramp = np.array([0.5, 1.0, 1.0, 0.5])
    for m, k in ((1, 0), (0, 1), (2, 1), (3, 2), (4, 3)):
        expect = np.zeros(20)
        expect[3 + k : 7 + k] = 0.5 * 0.6**k * ramp
        np.testing.assert_allclose(out[:, m], expect)
    assert (out[:, 5] == 0).all()  # 4 hops away: untouched


def test_simulated_week_has_weekday_rush_hours_and_quiet_weekends() -> None:
    series, adj = simulate(SimulatorConfig(nodes=12, days=14, incidents_per_day=0.0, demand_sigma=0.0))
    assert series.values.shape == (14 * 96, 12) and adj.shape == (12, 12)
    speed = np.where(series.values > 0, series.values, np.nan).reshape(14, 96, 12)
    weekday = series.timestamps[::96].astype("datetime64[D]").astype(np.int64)
    weekday = (weekday + 3) % 7
    morning = np.nanmean(speed[:, 30:34], axis=(1, 2))  # 7:30-8:30
    night = np.nanmean(speed[:, 8:16], axis=(1, 2))  # 2:00-4:00
    assert (morning[weekday < 4] < night[weekday < 4] - 5).all()  # weekday rush hours
    assert (morning[weekday >= 5] > morning[weekday < 4].max()).all()  # weekends flow
    assert 0 < series.missing_fraction < 0.02


def test_incidents_and_demand_make_inputs_deviate_from_the_weekly_pattern() -> None:
    calm = simulate(SimulatorConfig(nodes=12, days=14, incidents_per_day=0.0, demand_sigma=0.0))[0].values
    busy = simulate(SimulatorConfig(nodes=12, days=14))[0].values
    valid = (calm > 0) & (busy > 0)
    assert np.abs(calm - busy)[valid].mean() > 1.0
    assert (busy[valid] < 0.5 * calm[valid]).any()  # incidents halve speeds somewhere


def test_default_train_size_and_weekly_anchor() -> None:
    data = build_data(STSSDLArgs())
    assert len(data.starts["train"]) == 1865 and data.weekly
    assert DEFAULT_STEPS == 6 * (1865 // DEFAULT_BATCH)  # the embedded default is 6 epochs of it
