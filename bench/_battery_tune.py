"""Validation selection of GenEVBattery's unstated hyper-parameters for ``bench/battery_genev.py --tune``.

Within each cross-cell fold the test cell is dropped entirely (never read), and one of the remaining
training cells (the next one in the fold's cell list, cyclically) is the **validation cell**: the other
training cells give the unlabelled pretraining snippets and the 10% labelled curves; RMSE is scored on the
validation cell's snippets. Every configuration is scored on the same (fold, seed) units; seed ``s``
pretrains its own model and fine-tunes from it with seed ``s`` (as ``--pretrain-per-seed``).

Coordinate search, one stage after another, each from the best configuration so far:
1. pretraining (full method, fine-tuning fixed at lr 1e-3 / 150 steps): hidden, pretraining steps, tau;
2. fine-tuning of the chosen pretrained models: lr, steps;
3. the scratch BiLSTM's own fine-tuning (lr, steps) on the same validation cells.

The pretraining grid is capped at the cost of the earlier bench (hidden <= 16, <= 100 pretraining steps):
on the shared 2-core machine a larger model or longer pretraining could not have been rerun over every
fold. The chosen values are shared by all folds: a cell that is the validation cell of one tuning fold is
the test cell of another cross-cell fold of the bench (the default tuning folds leave CS2_35, CS2_37,
B0005 and B0007 out of validation, so those four test folds are clean).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np
from _battery_arms import SEEDS, pretrain
from scipy import stats
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import BatteryData, from_curves
from ssl_plugin_battery.finetune import Split, errors, finetune_predict, labelled_split


@dataclass(frozen=True)
class Config:
    """One point of the sweep (pretraining ``steps`` 0: the scratch arm)."""

    hidden: int = 16
    steps: int = 100
    tau: float = 0.2
    ft_lr: float = 1e-3
    ft_steps: int = 150

    def label(self) -> str:
        """Short name for the sweep table."""
        return f"h{self.hidden} s{self.steps} tau{self.tau:g} lr{self.ft_lr:g} ft{self.ft_steps}"


@dataclass
class Fold:
    """A validation fold: the data without the test cell, the validation cell held out, one split per seed."""

    name: str
    data: BatteryData
    splits: list[Split]


def val_folds(
    sets: dict[str, list], args: GenEVArgs, cells: dict[str, list[str]], tests: list[str]
) -> list[Fold]:
    """One fold per test cell in ``tests``: test cell dropped, the next cell of its dataset is validation."""
    out = []
    for name, curves in sets.items():
        for k, test in enumerate(cells[name]):
            if test not in tests:
                continue
            val = cells[name][(k + 1) % len(cells[name])]
            kept = [c for c in curves if c.cell != test]
            data = from_curves(name, kept, GenEVArgs(**{**args.__dict__, "test_cells": [val]}))
            splits = [labelled_split(data, args.label_fraction, args.windows_per_curve, s) for s in SEEDS]
            out.append(Fold(f"{name} test {test} val {val}", data, splits))
    return out


def models(
    args: GenEVArgs, folds: list[Fold], cfg: Config, loss: str = "full"
) -> dict[tuple[int, int], object]:
    """The pretrained module of every (fold, seed) for ``cfg`` (scratch when ``cfg.steps`` == 0)."""
    a = GenEVArgs(**{**args.__dict__, "hidden": cfg.hidden, "tau": cfg.tau})
    out = {}
    for i, f in enumerate(folds):
        for s in SEEDS:
            x, _ = f.data.snippets(f.data.curve_ids("train"), args.windows_per_curve, s)
            out[i, s] = pretrain(a, x, loss, cfg.steps, seed=s)
    return out


def score(folds: list[Fold], mods: dict, cfg: Config) -> list[float]:
    """Validation RMSE per seed, averaged over the folds (one value per seed)."""
    per_seed = []
    for s in SEEDS:
        r = []
        for i, f in enumerate(folds):
            split = f.splits[SEEDS.index(s)]
            pred = finetune_predict(
                mods[i, s].regression_model(), split, steps=cfg.ft_steps, lr=cfg.ft_lr, seed=s
            )
            r.append(errors(pred, split)["rmse"])
        per_seed.append(float(np.mean(r)))
    return per_seed


def interval(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95% t-interval over seeds."""
    v = np.asarray(values)
    half = stats.t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return float(v.mean()), float(v.mean() - half), float(v.mean() + half)


def evaluate(
    args: GenEVArgs, folds: list[Fold], cfg: Config, table: list[dict], arm: str, cache: dict
) -> float:
    """Score ``cfg`` (pretraining cached per pretraining config), append its row, return the mean."""
    key = (arm, cfg.hidden, cfg.steps, cfg.tau)
    t0 = time.perf_counter()
    if key not in cache:
        cache.clear()  # keep one set of pretrained models in memory
        cache[key] = models(args, folds, cfg, "full")
    vals = score(folds, cache[key], cfg)
    mean, lo, hi = interval(vals)
    table.append({"arm": arm, **asdict(cfg), "per_seed": vals, "mean": mean, "ci": [lo, hi],
                  "seconds": time.perf_counter() - t0})  # fmt: skip
    print(f"{arm:8s} {cfg.label():36s} val RMSE {mean:.4f} [{lo:.4f}, {hi:.4f}] "
          f"({time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip
    return mean


def coordinate(args: GenEVArgs, folds: list[Fold], start: Config, grid: dict[str, list], arm: str,
               table: list[dict], cache: dict, seen: dict) -> Config:  # fmt: skip
    """Try each value of each coordinate in turn from the best config so far; the best config."""
    best = start
    if (arm, best) not in seen:
        seen[arm, best] = evaluate(args, folds, best, table, arm, cache)
    for name, values in grid.items():
        for v in values:
            cfg = replace(best, **{name: v})
            if (arm, cfg) not in seen:
                seen[arm, cfg] = evaluate(args, folds, cfg, table, arm, cache)
        best = min((c for (a, c) in seen if a == arm and all(
            getattr(c, k) == getattr(best, k) for k in asdict(c) if k != name)), key=lambda c: seen[arm, c])  # fmt: skip
    return best


PRETRAIN_GRID = {"hidden": [8, 16], "steps": [50, 100], "tau": [0.1, 0.2, 0.5]}
FT_GRID = {"ft_lr": [1e-4, 3e-4, 1e-3, 3e-3], "ft_steps": [0, 50, 150, 300, 600]}


def sweep(args: GenEVArgs, folds: list[Fold], previous: list[dict]) -> tuple[Config, Config, list[dict]]:
    """Stages 1-3, reusing the ``previous`` rows (same folds and seeds); (full, scratch, sweep table)."""
    table = list(previous)
    cache: dict = {}
    seen = {(r["arm"], config_of(r)): r["mean"] for r in previous}
    best = coordinate(args, folds, Config(), PRETRAIN_GRID, "full", table, cache, seen)
    cache.clear()
    best = coordinate(args, folds, best, FT_GRID, "full", table, cache, seen)
    cache.clear()
    scratch = coordinate(args, folds, replace(best, steps=0), FT_GRID, "scratch", table, cache, seen)
    return best, scratch, table


def config_of(row: dict) -> Config:
    """The configuration of a sweep-table row."""
    return Config(row["hidden"], row["steps"], row["tau"], row["ft_lr"], row["ft_steps"])


def markdown(table: list[dict], chosen: dict[str, Config]) -> str:
    """The sweep as a markdown table (chosen rows marked)."""
    lines = ["| arm | hidden | pretraining steps | tau | ft lr | ft steps | val RMSE (95% interval over seeds) | chosen |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in table:
        cfg = config_of(r)
        mark = "**yes**" if chosen.get(r["arm"]) == cfg else ""
        lines.append(f"| {r['arm']} | {r['hidden']} | {r['steps']} | {r['tau']:g} | {r['ft_lr']:g} | "
                     f"{r['ft_steps']} | {r['mean']:.4f} [{r['ci'][0]:.4f}, {r['ci'][1]:.4f}] | {mark} |")  # fmt: skip
    return "\n".join(lines)


def run(
    args: GenEVArgs,
    sets: dict[str, list],
    cells: dict[str, list[str]],
    tests: list[str],
    out: Path,
    resume: Path | None = None,
) -> None:
    """The whole sweep: print the table and the chosen values, write them (and every row) to ``out``;
    rows of an earlier ``out`` file (``resume``, same folds required) are reused, not recomputed."""
    folds = val_folds(sets, args, cells, tests)
    print("validation folds: " + "; ".join(f.name for f in folds), flush=True)
    previous = json.loads(resume.read_text()) if resume else {"folds": [f.name for f in folds], "table": []}
    if previous["folds"] != [f.name for f in folds]:
        raise SystemExit(f"--tune-resume {resume}: other validation folds ({'; '.join(previous['folds'])})")
    best, scratch, table = sweep(args, folds, previous["table"])
    print(markdown(table, {"full": best, "scratch": scratch}))
    print(f"chosen (full and the SSL arms): {best.label()}; scratch fine-tuning: lr {scratch.ft_lr:g}, "
          f"{scratch.ft_steps} steps")  # fmt: skip
    log = {"folds": [f.name for f in folds], "seeds": list(SEEDS), "table": table,
           "chosen": asdict(best), "scratch": asdict(scratch)}  # fmt: skip
    out.write_text(json.dumps(log, indent=1))
