"""Synthetic series and graphs shared by the traffic plugin tests (imported by name via sys.path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from ssl_plugin_traffic.series import TrafficSeries

TINY_MODEL = (
    "recipe_args.rnn_units=8",
    "recipe_args.prototype_num=4",
    "recipe_args.prototype_dim=4",
    "recipe_args.d_node=4",
    "recipe_args.d_tod=4",
)
"""``--set`` overrides of a seconds-long model."""


def sets(*overrides: str) -> list[str]:
    """``["--set", o1, "--set", o2, ...]``."""
    return [arg for o in overrides for arg in ("--set", o)]


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


def write_input(path: Path, nodes: int, steps: int = 12) -> Path:
    """A T-GCN-style CSV of ``steps`` 15-minute readings (55 mph) with a timestamp column."""
    stamps = np.datetime64("2024-02-01T06:00", "m") + np.arange(steps) * np.timedelta64(15, "m")
    rows = ["timestamp," + ",".join(f"s{i}" for i in range(nodes))]
    rows += [f"{t}," + ",".join("55.0" for _ in range(nodes)) for t in stamps]
    path.write_text("\n".join(rows) + "\n")
    return path
