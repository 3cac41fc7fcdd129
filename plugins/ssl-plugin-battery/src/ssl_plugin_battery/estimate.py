"""``ssl-battery estimate RUN INPUT``: capacity / SOH per charge curve with a spread across its snippets.

The run's pretrained encoder is fine-tuned (GenEV protocol, Arunan et al., IEEE TII 2025) on the
run's own labelled curves (``label_fraction`` of them, from its ``data.pt``: no training file is read),
then every charge curve of INPUT is cut into non-overlapping snippets on the run's grid; the estimate
is the mean over its snippets, the spread their standard deviation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ssl_core.errors import DataError
from ssl_core.utils import atomic_writer, format_table
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import read_input, tiled
from ssl_plugin_battery.finetune import Split, finetune_predict, labelled_split


@dataclass
class Estimates:
    """One row per curve: cell, cycle, snippets, SOH mean / std, capacity (Ah), measured SOH (NaN: none)."""

    cells: list[str]
    cycles: list[int]
    counts: np.ndarray
    soh: np.ndarray
    spread: np.ndarray
    capacity: np.ndarray
    measured: np.ndarray

    def rows(self) -> list[list[Any]]:
        """Printable rows."""
        out = []
        for k in range(len(self.cells)):
            meas = "" if not np.isfinite(self.measured[k]) else f"{self.measured[k]:.4f}"
            out.append([self.cells[k], self.cycles[k], int(self.counts[k]), f"{self.soh[k]:.4f}",
                        f"{self.spread[k]:.4f}", f"{self.capacity[k]:.4f}", meas])  # fmt: skip
        return out

    HEADER = ["cell", "cycle", "snippets", "soh", "soh_std", "capacity_Ah", "measured_soh"]

    def text(self) -> str:
        """The table as plain text."""
        return format_table([dict(zip(self.HEADER, row)) for row in self.rows()])


def estimate_curves(loaded: Any, path: Path, seed: int = 0) -> Estimates:
    """Fine-tune on the run's labels, then estimate every curve of ``path``."""
    args = GenEVArgs(**loaded.config.recipe_args)
    run_data = loaded.recipe.data
    ids = np.flatnonzero([len(g) >= run_data.window for g in run_data.grids])
    try:
        split = labelled_split(run_data, args.label_fraction, args.windows_per_curve, seed, ids, ids)
    except ValueError as exc:
        raise DataError(loaded.config.recipe_args.get("data") or "run", "labels", str(exc)) from None
    new = read_input(path, run_data, args)
    x, owner = tiled(new, range(len(new.grids)))
    if len(x) == 0:
        raise DataError(
            path, "<curves>", f"no charge curve is one window ({args.window} x {args.grid_s:g} s) long"
        )
    target = Split(split.x, split.y, x, torch.zeros(len(x)), owner, split.n_curves)
    pred = finetune_predict(
        loaded.module.regression_model(), target, steps=args.ft_steps, lr=args.ft_lr, seed=seed
    )
    curves = np.unique(owner)
    mean = np.array([pred[owner == k].mean() for k in curves])
    std = np.array([pred[owner == k].std() for k in curves])
    return Estimates([new.cells[k] for k in curves], [new.cycles[k] for k in curves],
                     np.array([(owner == k).sum() for k in curves]), mean, std, mean * new.rated[curves],
                     new.soh[curves])  # fmt: skip


def write_estimates(table: Estimates, output: Path) -> list[Path]:
    """The CSV (atomically) and, when measured SOH exists and matplotlib is installed, a plot vs cycle."""
    with atomic_writer(output) as fh:
        lines = [",".join(Estimates.HEADER)] + [",".join(str(v) for v in row) for row in table.rows()]
        fh.write(("\n".join(lines) + "\n").encode())
    written = [output]
    if np.isfinite(table.measured).any():
        try:
            import matplotlib

            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return written
        fig, ax = plt.subplots(figsize=(7, 4))
        for cell in dict.fromkeys(table.cells):
            k = np.array([c == cell for c in table.cells])
            cyc = np.array(table.cycles)[k]
            ax.errorbar(cyc, table.soh[k], yerr=table.spread[k], fmt="o", ms=3, label=f"{cell} estimate")
            ax.plot(cyc, table.measured[k], "-", label=f"{cell} measured")
        ax.set_xlabel("cycle")
        ax.set_ylabel("SOH")
        ax.legend(fontsize=7)
        png = output.with_suffix(".png")
        with atomic_writer(png) as fh:
            fig.savefig(fh, format="png", dpi=100)
        plt.close(fig)
        written.append(png)
    return written
