"""Synthetic series and graphs shared by the traffic plugin tests (imported by name via sys.path)."""

from __future__ import annotations

import numpy as np
from ssl_plugin_traffic.data import TrafficSeries


def make_series(steps: int = 400, nodes: int = 5, interval: int = 60, seed: int = 0) -> TrafficSeries:
    """Periodic positive readings with a few zeros, hourly from a Monday."""
    rng = np.random.default_rng(seed)
    t = np.arange(steps)
    values = 50 + 10 * np.sin(2 * np.pi * t / (1440 // interval))[:, None] + rng.normal(0, 1, (steps, nodes))
    values[rng.random(values.shape) < 0.01] = 0.0
    stamps = np.datetime64("2024-01-01T00:00", "m") + t * np.timedelta64(interval, "m")
    return TrafficSeries(values.astype(np.float32), stamps, [str(i) for i in range(nodes)], "<test>")


def ring_adjacency(nodes: int = 5) -> np.ndarray:
    """Self loops plus a directed ring."""
    adj = np.eye(nodes, dtype=np.float32)
    for i in range(nodes):
        adj[i, (i + 1) % nodes] = 0.5
    return adj
