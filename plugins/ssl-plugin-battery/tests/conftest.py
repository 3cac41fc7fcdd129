"""Shared helpers: small synthetic charge logs as generic CSV text; the CLI in-process."""

from __future__ import annotations

import numpy as np

from ssl_core.testing import ConsoleRun, run_console


def charge_log(cells: int = 3, cycles: int = 4, points: int = 120, dt: float = 30.0, seed: int = 0) -> str:
    """Generic CSV (cell,cycle,time,voltage,current,temperature,capacity): CC-CV-like charges whose
    voltage rise steepens as the capacity fades, then a short discharge."""
    rng = np.random.default_rng(seed)
    lines = ["cell,cycle,time,voltage,current,temperature,capacity"]
    for c in range(cells):
        for k in range(cycles):
            cap = 1.0 - 0.05 * k - 0.02 * c
            t = np.arange(points) * dt
            soc = np.clip(0.2 + np.cumsum(np.full(points, 0.5 * dt / 3600 / cap)), 0, 1)
            v = 3.4 + 0.8 * soc + 0.01 * rng.standard_normal(points)
            i = np.where(soc < 0.95, 0.5, 0.1)
            lines += [f"c{c},{k + 1},{t[j]:.1f},{v[j]:.4f},{i[j]:.3f},25.0,{cap:.4f}" for j in range(points)]
            lines += [
                f"c{c},{k + 1},{t[-1] + dt * (j + 1):.1f},{3.9 - 0.1 * j:.4f},-1.0,25.0,{cap:.4f}"
                for j in range(3)
            ]
    return "\n".join(lines) + "\n"


Ran = ConsoleRun


def ssl_battery(*args: str) -> Ran:
    """``ssl-battery ARGS``: the console script's ``main`` in-process."""
    from ssl_plugin_battery.cli import main

    return run_console(main, *args)
