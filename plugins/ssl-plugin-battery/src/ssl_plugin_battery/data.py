"""The run's data: charge curves on the common time grid, the cell split and the snippets.

The :class:`BatteryData` is the recipe's data object. Its state (every curve on the ``grid_s`` grid,
cells, cycles, labels, ratings, the held-out cells) is kept in the run's ``data.pt``, so ``evaluate``,
``embed`` and ``estimate`` work after the input files are gone. Pretraining reads unlabelled snippets
of every cell but the held-out ones (Arunan et al., IEEE TII 2025: cross-cell protocol).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError, warn_data
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.curves import ChargeCurve, resample, window_starts
from ssl_plugin_battery.sources import load_curves


@dataclass
class BatteryData:
    """Curves on the grid and their metadata; ``train`` the pretraining snippets (``None`` restored)."""

    name: str
    grids: list[np.ndarray]
    cells: list[str]
    cycles: list[int]
    capacity: np.ndarray
    rated: np.ndarray
    test_cells: list[str]
    window: int
    train: TensorDictDataset | None = None

    eval = None  # no online probe: the downstream protocol is fine-tuning (evaluate.py)
    label_key = None

    @property
    def soh(self) -> np.ndarray:
        """Per-curve SOH (NaN: unlabelled)."""
        return self.capacity / self.rated

    def curve_ids(self, split: str) -> np.ndarray:
        """Indices of the usable curves (at least one window long) of ``train`` or ``test`` cells."""
        test = np.isin(np.array(self.cells), self.test_cells)
        long = np.array([len(g) >= self.window for g in self.grids])
        return np.flatnonzero(long & (test if split == "test" else ~test))

    def snippets(
        self, ids: Sequence[int] | np.ndarray, per_curve: int, seed: int
    ) -> tuple[Tensor, np.ndarray]:
        """``(x (N, T, 4), curve index per snippet)``: ``per_curve`` random windows of each curve."""
        lengths = np.array([len(self.grids[k]) for k in ids])
        which, starts = window_starts(lengths, self.window, per_curve, seed)
        x = (
            np.stack([self.grids[ids[w]][s : s + self.window] for w, s in zip(which, starts)])
            if len(which)
            else np.zeros((0, self.window, 4), np.float32)
        )
        return torch.from_numpy(x), np.asarray(ids)[which]

    def state_dict(self) -> dict[str, Any]:
        """Everything ``evaluate`` / ``embed`` / ``estimate`` need (tensors, lists, numbers)."""
        return {
            "name": str(self.name), "grid": torch.from_numpy(np.concatenate(self.grids)),
            "lengths": [int(len(g)) for g in self.grids], "cells": [str(c) for c in self.cells],
            "cycles": [int(c) for c in self.cycles],
            "capacity": torch.from_numpy(self.capacity), "rated": torch.from_numpy(self.rated),
            "test_cells": [str(c) for c in self.test_cells], "window": int(self.window),
        }  # fmt: skip


def from_curves(name: str, curves: list[ChargeCurve], args: GenEVArgs) -> BatteryData:
    """Resample the curves to ``args.grid_s`` and choose the held-out cells."""
    grids = [resample(c, args.grid_s) for c in curves]
    short = sum(len(g) < args.window for g in grids)
    if short:
        warn_data(name, "<curves>", f"{short} of {len(grids)} charge curves are shorter than one window "
                                    f"({args.window} x {args.grid_s:g} s) and are not used")  # fmt: skip
    cells = sorted({c.cell for c in curves})
    unknown = [c for c in args.test_cells if c not in cells]
    if unknown:
        raise DataError(
            name,
            "recipe_args.test_cells",
            f"cell {unknown[0]!r} is not in the data (cells: {', '.join(cells)})",
        )
    test = list(args.test_cells) or ([cells[-1]] if len(cells) > 1 else [])
    return BatteryData(name, grids, [c.cell for c in curves], [c.cycle for c in curves],
                       np.array([c.capacity for c in curves]), np.array([c.rated for c in curves]), test, args.window)  # fmt: skip


def build_data(args: GenEVArgs) -> BatteryData:
    """Read the curves named by ``args`` and make the pretraining snippets (the recipe's data phase)."""
    name = Path(args.data).name if args.data else "nasa-embedded"
    data = from_curves(name, load_curves(args.data, args.source, args.labels, args.rated_capacity), args)
    x, _ = data.snippets(data.curve_ids("train"), args.windows_per_curve, args.split_seed)
    if len(x) == 0:
        raise DataError(args.data or name, "<curves>", f"no charge curve of the training cells is one window "
                                                       f"({args.window} x {args.grid_s:g} s) long")  # fmt: skip
    data.train = TensorDictDataset({"x": x}, source=name)
    return data


def restore_data(args: GenEVArgs, state: Mapping[str, Any]) -> BatteryData:
    """The data of a finished run from its ``data.pt`` state (no file is read)."""
    grid = state["grid"].numpy()
    bounds = np.concatenate([[0], np.cumsum(state["lengths"])])
    grids = [grid[bounds[k] : bounds[k + 1]] for k in range(len(state["lengths"]))]
    return BatteryData(str(state["name"]), grids, list(state["cells"]), [int(c) for c in state["cycles"]],
                       state["capacity"].numpy(), state["rated"].numpy(), list(state["test_cells"]), int(state["window"]))  # fmt: skip


def read_input(path: Path, run_data: BatteryData, args: GenEVArgs) -> BatteryData:
    """A new input file's curves on the run's grid (for ``embed`` and ``estimate``); no cell is held out."""
    curves = load_curves(str(path), "auto", None, args.rated_capacity)
    return from_curves(path.name, curves, GenEVArgs(**{**args.__dict__, "test_cells": [], "data": str(path)}))


def tiled(data: BatteryData, ids: Sequence[int] | np.ndarray | range) -> tuple[Tensor, np.ndarray]:
    """Non-overlapping windows covering each curve (stride = window): ``(x, curve index)``."""
    xs, owner = [], []
    for k in ids:
        g = data.grids[k]
        for s in range(0, len(g) - data.window + 1, data.window):
            xs.append(g[s : s + data.window])
            owner.append(k)
    x = np.stack(xs) if xs else np.zeros((0, data.window, 4), np.float32)
    return torch.from_numpy(x), np.array(owner, dtype=np.int64)


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT: any supported format, cut into non-overlapping snippets on the run's grid."""
    args = GenEVArgs(**run.config.recipe_args)
    data = read_input(Path(path), run.recipe.data, args)
    x, _ = tiled(data, range(len(data.grids)))
    if len(x) == 0:
        raise DataError(
            path, "<curves>", f"no charge curve is one window ({args.window} x {args.grid_s:g} s) long"
        )
    return {"x": x}
