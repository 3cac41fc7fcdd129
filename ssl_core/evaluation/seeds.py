"""Aggregate an evaluation over seeds: mean and sample standard deviation of every metric."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable


def over_seeds(fn: Callable[[int], dict[str, float]], seeds: Iterable[int]) -> dict[str, tuple[float, float]]:
    """Run ``fn(seed)`` for each seed; return ``{metric: (mean, std)}`` (std with ddof=1, 0 for one seed).

    Every run must report the same metric names.
    """
    runs = [fn(int(s)) for s in seeds]
    if not runs:
        raise ValueError("over_seeds needs at least one seed")
    keys = set(runs[0])
    for r in runs[1:]:
        if set(r) != keys:
            raise ValueError(f"seed runs report different metrics: {sorted(keys)} vs {sorted(r)}")
    out: dict[str, tuple[float, float]] = {}
    for key in runs[0]:
        vals = [float(r[key]) for r in runs]
        mean = sum(vals) / len(vals)
        var = sum((v - mean) ** 2 for v in vals) / (len(vals) - 1) if len(vals) > 1 else 0.0
        out[key] = (mean, math.sqrt(var))
    return out
