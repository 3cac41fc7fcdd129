"""The embedded default data: a documented traffic SIMULATOR over a real road graph.

The real Los-loop / SZ-taxi series carry no license, so the package does not ship them. Instead
``ssl-traffic pretrain`` with no ``--data`` simulates speeds on a connected sub-graph of the real
METR-LA sensor graph (``defaults/metr_la_adj.npz``, converted from DCRNN's ``adj_mx.pkl``; DCRNN is
MIT-licensed, (c) 2017 Yaguang Li). It has the two components ST-SSDL (Gao et al., NeurIPS 2025)
separates -- a recurring pattern the history average captures, and non-recurring deviations from
it that spread over the graph. Per sensor ``n``, day ``d`` and time ``t``::

    speed = v0_n * (1 - a_n * g_{d,n} * C(t, n)) * (1 - I(t, n)) + AR(1) noise

* ``C`` (recurring, weekly): rush hours that differ by weekday -- Monday to Thursday peaks at about
  8:00 and 17:30 (each sensor weights them by its direction, inbound morning or outbound evening),
  an earlier and heavier Friday evening, a Saturday midday bump and a light Sunday -- shifted per
  sensor and diffused over the graph (3 random-walk steps) so neighbours correlate;
* ``g`` (non-recurring, day level): a demand factor per day and region (weather, events, school
  holidays), ``exp(N(0, sigma))`` smoothed over the graph, so a whole day runs heavier or lighter
  than its weekly average and the input's deviation persists into the forecast horizon;
* ``I`` (non-recurring, local): incidents -- 30-60% drops lasting 30-120 minutes at random sensors
  whose queue travels upstream as a wave: a sensor ``k`` hops away is hit ``k`` steps later at
  ``0.6^k`` of the strength, for up to 3 hops;
* 0.5% of readings are set to 0 (missing), exercising the masked losses.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np

from .series import TrafficSeries

__all__ = [
    "SimulatorConfig",
    "metr_la_adjacency",
    "connected_subgraph",
    "hop_distances",
    "add_wave",
    "simulate",
]


@dataclass
class SimulatorConfig:
    """Size and character of the simulated data."""

    nodes: int = 40
    days: int = 28
    interval_minutes: int = 15
    incidents_per_day: float = 6.0
    demand_sigma: float = 0.25
    missing_rate: float = 0.005
    seed: int = 0
    start: str = "2024-01-01T00:00"  # a Monday


def metr_la_adjacency() -> tuple[np.ndarray, list[str]]:
    """The shipped METR-LA Gaussian-kernel adjacency ``(207, 207)`` and its sensor ids."""
    resource = resources.files("ssl_plugin_traffic").joinpath("defaults/metr_la_adj.npz")
    with resource.open("rb") as fh, np.load(fh, allow_pickle=False) as archive:
        return archive["adj_mx"].astype(np.float32), [str(s) for s in archive["sensor_ids"]]


def _links(adj: np.ndarray) -> np.ndarray:
    links = (adj + adj.T) > 0
    np.fill_diagonal(links, False)
    return links


def connected_subgraph(adj: np.ndarray, size: int) -> np.ndarray:
    """Indices of ``size`` nodes grown breadth-first from the highest-degree node (undirected)."""
    links = _links(adj)
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


def hop_distances(adj: np.ndarray) -> np.ndarray:
    """Undirected shortest-path hop counts ``(N, N)`` (``N`` where unreachable)."""
    links = _links(adj)
    n = len(adj)
    dist = np.full((n, n), n, dtype=np.int64)
    np.fill_diagonal(dist, 0)
    frontier = np.eye(n, dtype=bool)
    for hop in range(1, n):
        frontier = (frontier.astype(np.int64) @ links.astype(np.int64) > 0) & (dist == n)
        if not frontier.any():
            break
        dist[frontier] = hop
    return dist


def _random_walk(adj: np.ndarray) -> np.ndarray:
    links = _links(adj).astype(np.float64)
    return links / np.maximum(links.sum(1, keepdims=True), 1.0)


def _bump(h: np.ndarray, centre: float, width: float) -> np.ndarray:
    return np.exp(-(((h - centre) / width) ** 2))


def _congestion(hours: np.ndarray, days: np.ndarray, shift: np.ndarray, inbound: np.ndarray) -> np.ndarray:
    """Weekly rush-hour profile ``(T, N)`` in [0, 1]: weekday-specific, direction-weighted."""
    h = hours[:, None] - shift[None, :]
    am, pm = 0.3 + 0.7 * inbound[None, :], 1.0 - 0.7 * inbound[None, :]
    workday = am * _bump(h, 8.0, 1.1) + pm * _bump(h, 17.5, 1.4)
    friday = 0.7 * am * _bump(h, 8.0, 1.1) + 1.2 * pm * _bump(h, 16.0, 2.0)
    saturday = 0.5 * _bump(h, 13.0, 2.5)
    sunday = 0.2 * _bump(h, 15.0, 3.0)
    d = days[:, None]
    profile = np.where(d < 4, workday, np.where(d == 4, friday, np.where(d == 5, saturday, sunday)))
    return np.clip(profile, 0.0, 1.0)


def _demand(rng: np.random.Generator, cfg: SimulatorConfig, nodes: int, walk: np.ndarray) -> np.ndarray:
    """Per-day, per-sensor demand factor ``(days, N)`` around 1, smooth over the graph."""
    level = rng.normal(0.0, cfg.demand_sigma, (cfg.days, 1)) + rng.normal(
        0.0, cfg.demand_sigma, (cfg.days, nodes)
    )
    for _ in range(4):
        level = 0.5 * level + 0.5 * level @ walk.T
    return np.exp(level)


def add_wave(out: np.ndarray, hops: np.ndarray, node: int, t0: int, length: int, severity: float) -> None:
    """Add (max) an incident at ``node`` from step ``t0``: hop ``k <= 3`` is hit ``k`` steps later at ``0.6^k``."""
    ramp = np.minimum(1.0, np.minimum(np.arange(1, length + 1), np.arange(length, 0, -1)) / 2.0)
    for m in np.flatnonzero(hops[node] <= 3):
        k = int(hops[node, m])
        lo, hi = t0 + k, min(len(out), t0 + k + length)
        if lo < hi:
            out[lo:hi, m] = np.maximum(out[lo:hi, m], severity * 0.6**k * ramp[: hi - lo])


def _incidents(rng: np.random.Generator, steps: int, cfg: SimulatorConfig, hops: np.ndarray) -> np.ndarray:
    """Incident severity ``(T, N)`` in [0, 0.6]: Poisson-many waves at random sensors and times."""
    out = np.zeros((steps, len(hops)))
    for _ in range(rng.poisson(cfg.incidents_per_day * steps * cfg.interval_minutes / 1440)):
        node, t0 = int(rng.integers(len(hops))), int(rng.integers(steps))
        length = max(2, int(rng.uniform(30, 120) / cfg.interval_minutes))
        add_wave(out, hops, node, t0, length, rng.uniform(0.3, 0.6))
    return out


def simulate(cfg: SimulatorConfig | None = None) -> tuple[TrafficSeries, np.ndarray]:
    """Simulated speeds (mph) on a METR-LA sub-graph; returns the series and its adjacency."""
    cfg = cfg or SimulatorConfig()
    rng = np.random.default_rng(cfg.seed)
    full, ids = metr_la_adjacency()
    keep = connected_subgraph(full, cfg.nodes)
    adj = full[np.ix_(keep, keep)]
    nodes, walk = len(keep), _random_walk(adj)
    spd = 1440 // cfg.interval_minutes
    steps = cfg.days * spd
    stamps = np.datetime64(cfg.start, "m") + np.arange(steps) * np.timedelta64(cfg.interval_minutes, "m")
    hours = (np.arange(steps) % spd) * cfg.interval_minutes / 60.0
    days = (stamps.astype("datetime64[D]").astype(np.int64) + 3) % 7  # 0 = Monday
    congestion = _congestion(hours, days, rng.uniform(-0.5, 0.5, nodes), rng.uniform(0.0, 1.0, nodes))
    for _ in range(3):
        congestion = 0.5 * congestion + 0.5 * congestion @ walk.T
    demand = np.repeat(_demand(rng, cfg, nodes, walk), spd, axis=0)
    free_flow = rng.uniform(55.0, 68.0, nodes)
    amplitude = rng.uniform(0.4, 0.8, nodes)
    incident = _incidents(rng, steps, cfg, hop_distances(adj))
    noise = np.zeros((steps, nodes))
    eps = rng.normal(0.0, 1.0, noise.shape)
    for t in range(1, steps):
        noise[t] = 0.7 * noise[t - 1] + eps[t]
    load = np.clip(amplitude * demand * congestion, 0.0, 0.9)
    speed = np.clip(free_flow * (1 - load) * (1 - incident) + noise, 1.0, None)
    speed[rng.random(speed.shape) < cfg.missing_rate] = 0.0
    series = TrafficSeries(
        speed.astype(np.float32), stamps, [ids[i] for i in keep], "<simulator>", float((speed == 0).mean())
    )
    return series, adj
