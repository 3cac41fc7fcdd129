"""The embedded default data: a documented traffic SIMULATOR over a real road graph.

The real Los-loop / SZ-taxi series carry no license, so the package does not ship them. Instead
``ssl-traffic pretrain`` with no ``--data`` simulates speeds on a connected sub-graph of the real
METR-LA sensor graph (``defaults/metr_la_adj.npz``, converted from DCRNN's ``adj_mx.pkl``; DCRNN is
MIT-licensed, (c) 2017 Yaguang Li). The signal, per sensor ``n`` and time ``t``::

    speed = v0_n * (1 - a_n * C(t, n)) * (1 - I(t, n)) + AR(1) noise

* ``C``: rush-hour congestion, weekday peaks at about 8:00 and 17:30 (a weekend midday bump), shifted
  per sensor and diffused over the graph (3 random-walk steps) so neighbours correlate;
* ``I``: injected incidents, temporary 30-60% drops lasting 30-120 minutes at random sensors that
  spread to 1-hop (half strength) and 2-hop (quarter strength) neighbours;
* 0.5% of readings are set to 0 (missing), exercising the masked losses.

Incidents are what makes an input deviate from its history average, the situation ST-SSDL targets.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from .data import TrafficSeries

__all__ = ["SimulatorConfig", "metr_la_adjacency", "connected_subgraph", "simulate"]


@dataclass
class SimulatorConfig:
    """Size and character of the simulated data."""

    nodes: int = 40
    days: int = 21
    interval_minutes: int = 15
    incidents_per_day: float = 4.0
    missing_rate: float = 0.005
    seed: int = 0
    start: str = "2024-01-01T00:00"  # a Monday


def metr_la_adjacency() -> tuple[np.ndarray, list[str]]:
    """The shipped METR-LA Gaussian-kernel adjacency ``(207, 207)`` and its sensor ids."""
    resource = resources.files("ssl_plugin_traffic").joinpath("defaults/metr_la_adj.npz")
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as archive:
        return archive["adj_mx"].astype(np.float32), [str(s) for s in archive["sensor_ids"]]


def connected_subgraph(adj: np.ndarray, size: int) -> np.ndarray:
    """Indices of ``size`` nodes grown breadth-first from the highest-degree node (undirected)."""
    links = (adj + adj.T) > 0
    np.fill_diagonal(links, False)
    order, seen = [int(links.sum(1).argmax())], set()
    seen.add(order[0])
    head = 0
    while head < len(order) and len(order) < size:
        for nb in np.flatnonzero(links[order[head]]):
            if int(nb) not in seen and len(order) < size:
                seen.add(int(nb))
                order.append(int(nb))
        head += 1
    return np.asarray(sorted(order))


def _random_walk(adj: np.ndarray) -> np.ndarray:
    links = ((adj + adj.T) > 0).astype(np.float64)
    np.fill_diagonal(links, 0.0)
    return links / np.maximum(links.sum(1, keepdims=True), 1.0)


def _congestion(hours: np.ndarray, weekend: np.ndarray, shift: np.ndarray) -> np.ndarray:
    h = hours[:, None] - shift[None, :]
    weekday = 0.45 * np.exp(-(((h - 8.0) / 1.2) ** 2)) + 0.55 * np.exp(-(((h - 17.5) / 1.5) ** 2))
    weekend_curve = 0.2 * np.exp(-(((h - 13.0) / 3.0) ** 2))
    return np.where(weekend[:, None], weekend_curve, weekday)


def _incidents(
    rng: np.random.Generator, steps: int, nodes: int, cfg: SimulatorConfig, walk: np.ndarray
) -> np.ndarray:
    count = rng.poisson(cfg.incidents_per_day * steps * cfg.interval_minutes / 1440)
    origin = np.zeros((steps, nodes))
    for _ in range(count):
        n, t0 = int(rng.integers(nodes)), int(rng.integers(steps))
        length = max(1, int(rng.uniform(30, 120) / cfg.interval_minutes))
        ramp = np.minimum(1.0, np.minimum(np.arange(1, length + 1), np.arange(length, 0, -1)) / 2.0)
        end = min(steps, t0 + length)
        origin[t0:end, n] = np.maximum(origin[t0:end, n], rng.uniform(0.3, 0.6) * ramp[: end - t0])
    hop1 = origin @ walk.T
    return np.maximum(origin, np.maximum(0.5 * hop1, 0.25 * (hop1 @ walk.T)))


def simulate(cfg: SimulatorConfig | None = None) -> tuple[TrafficSeries, np.ndarray]:
    """Simulated speeds (mph) on a METR-LA sub-graph; returns the series and its adjacency."""
    cfg = cfg or SimulatorConfig()
    rng = np.random.default_rng(cfg.seed)
    full, ids = metr_la_adjacency()
    keep = connected_subgraph(full, cfg.nodes)
    adj = full[np.ix_(keep, keep)]
    walk = _random_walk(adj)
    spd = 1440 // cfg.interval_minutes
    steps = cfg.days * spd
    stamps = np.datetime64(cfg.start, "m") + np.arange(steps) * np.timedelta64(cfg.interval_minutes, "m")
    hours = (np.arange(steps) % spd) * cfg.interval_minutes / 60.0
    days = (stamps.astype("datetime64[D]").astype(np.int64) + 3) % 7
    congestion = _congestion(hours, days >= 5, rng.uniform(-0.5, 0.5, len(keep)))
    for _ in range(3):
        congestion = 0.5 * congestion + 0.5 * congestion @ walk.T
    free_flow = rng.uniform(55.0, 68.0, len(keep))
    amplitude = rng.uniform(0.3, 0.8, len(keep))
    incident = _incidents(rng, steps, len(keep), cfg, walk)
    noise = np.zeros((steps, len(keep)))
    eps = rng.normal(0.0, 1.0, noise.shape)
    for t in range(1, steps):
        noise[t] = 0.7 * noise[t - 1] + eps[t]
    speed = free_flow * (1 - amplitude * congestion) * (1 - incident) + noise
    speed = np.clip(speed, 1.0, None)
    speed[rng.random(speed.shape) < cfg.missing_rate] = 0.0
    series = TrafficSeries(
        speed.astype(np.float32), stamps, [ids[i] for i in keep], "<simulator>", float((speed == 0).mean())
    )
    return series, adj
