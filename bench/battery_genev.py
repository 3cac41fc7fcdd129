"""GenEVBattery (Arunan et al., IEEE TII 2025) on real charging data: cross-cell, ageing shift, field packs.

Settings (``$SSL_DATA_DIR/battery``):
* cross-cell CALCE: hold out one of CS2_35..38 in turn; pretrain on the other cells' unlabelled snippets,
  fine-tune on 10% of their labelled curves, test on the held-out cell; the same over NASA B0005/6/7/18;
* ageing: CALCE, all cells; fine-tune on 10% of the early-life curves (first half of each cell's cycles),
  test on late life (pretraining sees the unlabelled snippets of all curves);
* packs: pretrain on all lab cells (CALCE + NASA), then leave-one-vehicle-out over the ten EV packs
  (fine-tune on all segments of nine, test on the tenth; errors pooled over the ten).
Arms: BiLSTM from scratch, reconstruction only (SimMTM), contrastive only, full GenEV, and gradient
boosting on dQ/dV features. 3 seeds per fold; verdicts are paired t-intervals over the (fold, seed) units.
What the intervals cover depends on the pretraining mode:
* default: one pretraining per arm and fold with seed 0 (initialisation, batch order, masks, draw of the
  unlabelled windows), shared by the 3 fine-tuning seeds; the intervals cover the fine-tuning randomness
  (label subset, head, batch order) and the fold-to-fold spread, NOT the pretraining seed;
* ``--pretrain-per-seed``: seed ``s`` pretrains its own models (scratch: its own initialisation) and
  fine-tunes from them with seed ``s``; the intervals cover the pretraining seed as well as the
  fine-tuning randomness and the folds (3x the pretraining cost; seed 0 equals the default mode).

    nice -n 10 python bench/battery_genev.py --out bench_battery.json [--pretrain-per-seed]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import from_curves
from ssl_plugin_battery.finetune import labelled_split
from ssl_plugin_battery.sources import load_curves

from ssl_core.evaluation import ComparisonRow, format_comparison

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _battery_arms import ARMS, SEEDS, packs_fold, run_fold  # noqa: E402

HOLDOUT = ("CS2_35", "CS2_36", "CS2_37", "CS2_38", "B0005", "B0006", "B0007", "B0018")


def cross_cell(args: GenEVArgs, name: str, curves: list, cell: str, steps: int, per_seed: bool) -> dict:
    """One cross-cell fold: ``cell`` held out, pretraining and fine-tuning on the other cells."""
    data = from_curves(name, curves, GenEVArgs(**{**args.__dict__, "test_cells": [cell]}))
    splits = [labelled_split(data, args.label_fraction, args.windows_per_curve, s) for s in SEEDS]
    return run_fold(args, data, data.curve_ids("train"), splits, steps, per_seed)


def ageing(args: GenEVArgs, curves: list, steps: int, per_seed: bool) -> dict:
    """Fine-tune on early life (first half of each cell's cycles), test on late life."""
    data = from_curves("calce", curves, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids = data.curve_ids("train")
    cyc, cells = np.array(data.cycles), np.array(data.cells)
    early = np.array([cyc[k] <= np.median(cyc[cells == cells[k]]) for k in ids])
    splits = [
        labelled_split(data, args.label_fraction, args.windows_per_curve, s, ids[early], ids[~early])
        for s in SEEDS
    ]
    return run_fold(args, data, ids, splits, steps, per_seed)


def packs(args: GenEVArgs, lab: list, vehicles: list, steps: int, per_seed: bool) -> dict:
    """Pretrain on the lab cells (per arm, once or per seed); leave one vehicle out, pooled errors."""
    lab_data = from_curves("lab", lab, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    data = from_curves("packs", vehicles, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids, cells = data.curve_ids("train"), np.array(data.cells)
    folds = [labelled_split(data, 1.0, args.windows_per_curve, 0, ids[cells[ids] != v], ids[cells[ids] == v])
             for v in sorted(set(cells[ids]))]  # fmt: skip
    return packs_fold(args, lab_data, folds, steps, per_seed)


def rows(setting: str, folds: list[dict]) -> list[ComparisonRow]:
    """full vs each other arm, paired over (fold, seed) units."""
    out = []
    for base in ("scratch", "reconstruction", "contrastive", "ic"):
        for metric in ("rmse", "mape"):
            a = [e[metric] for f in folds for e in f["full"]]
            b = [e[metric] for f in folds for e in f[base]]
            out.append(ComparisonRow.from_seeds(setting, metric, a, b, higher_is_better=False,
                                                extra={"baseline": base}, unit="fold x seed"))  # fmt: skip
    return out


def covers(per_seed: bool) -> str:
    """What the paired intervals cover in the given pretraining mode."""
    if per_seed:
        return "intervals over (fold, seed): pretraining seed + fine-tuning seed (labels, head) + folds"
    return "intervals over (fold, seed): fine-tuning seed (labels, head) + folds; one pretraining (seed 0)"


def merge(paths: list[Path]) -> tuple[dict[str, list[dict]], bool]:
    """Results of several JSON files (refused when their pretraining modes differ) and that mode."""
    merged: dict[str, list[dict]] = {}
    modes = set()
    for path in paths:
        log = json.loads(path.read_text())
        modes.add(bool(log["config"].get("pretrain_per_seed", False)))
        for setting, folds in log["results"].items():
            merged.setdefault(setting, []).extend(folds)
    if len(modes) > 1:
        raise SystemExit("--merge: files mix --pretrain-per-seed and seed-0 pretraining")
    return merged, modes.pop()


def jobs(ns: argparse.Namespace, args: GenEVArgs) -> list[tuple[str, Callable[[], dict]]]:
    """(setting, fold job) pairs, in the order ``HOLDOUT`` then ageing and packs."""
    root = Path(os.environ.get("SSL_DATA_DIR", "../shared/data")) / "battery"
    calce = load_curves(str(root / "calce_cs2" / "raw_CS2_35")) + load_curves(
        str(root / "calce_cs2_raw_36_37_38")
    )
    nasa = load_curves(str(root / "nasa_pcoe_cycles"))
    ev = load_curves(str(root / "ev_packs_deng2024" / "BatPackdata.mat"))
    st, ps = ns.steps, ns.pretrain_per_seed
    out: list[tuple[str, Callable[[], dict]]] = [
        ("cross-cell CALCE", lambda c=c: cross_cell(args, "calce", calce, c, st, ps)) for c in HOLDOUT[:4]
    ]
    out += [("cross-cell NASA", lambda c=c: cross_cell(args, "nasa", nasa, c, st, ps)) for c in HOLDOUT[4:]]
    out += [
        ("ageing CALCE", lambda: ageing(args, calce, st, ps)),
        ("packs LOVO", lambda: packs(args, calce + nasa, ev, st, ps)),
    ]
    return out


def main() -> None:
    """Run the chosen settings / folds (writing the JSON after every fold) or merge earlier runs."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("bench_battery.json"))
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--ft-steps", type=int, default=150)
    p.add_argument("--only", nargs="*", default=None,
                   help="settings to run, by name prefix: 'cross-cell CALCE', 'cross-cell NASA', "
                   "'ageing CALCE', 'packs LOVO' (default: all)")  # fmt: skip
    p.add_argument("--holdout", nargs="*", default=None, help="cross-cell: only these held-out cells")
    p.add_argument("--merge", nargs="*", type=Path, default=None, help="print the tables of these JSON files")
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--pretrain-per-seed", action="store_true",
                   help="fine-tuning seed s starts from arms pretrained with seed s (default: one "
                   "pretraining per arm and fold, seed 0)")  # fmt: skip
    ns = p.parse_args()
    if ns.merge:
        report(*merge(ns.merge))
        return
    args = GenEVArgs(hidden=ns.hidden, ft_steps=ns.ft_steps, windows_per_curve=ns.windows)
    todo = jobs(ns, args)
    order = [0, 4, 8, 9, 1, 5, 2, 6, 3, 7]  # every setting early, so a cut-short run still covers all
    results: dict[str, list[dict]] = {}
    for k in order:
        setting, job = todo[k]
        if ns.only and not any(setting.startswith(o) for o in ns.only):
            continue
        if ns.holdout and setting.startswith("cross-cell") and HOLDOUT[k] not in ns.holdout:
            continue
        t0 = time.perf_counter()
        results.setdefault(setting, []).append(job())
        print(f"{setting}: fold done in {time.perf_counter() - t0:.0f} s", flush=True)
        ns.out.write_text(
            json.dumps({"config": vars(ns) | {"out": str(ns.out)}, "results": results}, indent=1)
        )
    report(results, ns.pretrain_per_seed)


def markdown(results: dict[str, list[dict]]) -> str:
    """One markdown row per setting: RMSE (MAPE) per arm, and full vs scratch / reconstruction / IC."""
    head = (
        "| setting | folds x seeds | "
        + " | ".join(ARMS)
        + " | full vs scratch | full vs recon. only | full vs IC |"
    )
    lines = [head, "|" + "---|" * (len(ARMS) + 5)]
    for setting, folds in results.items():
        cells = []
        for a in ARMS:
            r = [e["rmse"] for f in folds for e in f[a]]
            m = np.mean([e["mape"] for f in folds for e in f[a]])
            cells.append(f"{np.mean(r):.4f} ({m:.1f}%)")
        verdicts = []
        for row in rows(setting, folds):
            if row.metric == "rmse" and row.extra["baseline"] in ("scratch", "reconstruction", "ic"):
                ci = row.diff_ci or (float("nan"), float("nan"))
                rel = 100 * row.delta / row.baseline[0]
                verdicts.append(f"{rel:+.1f}% [{ci[0]:+.4f}, {ci[1]:+.4f}] {row.verdict}")
        n = sum(len(f["full"]) for f in folds)
        lines.append(
            f"| {setting} | {len(folds)} x {n // max(len(folds), 1)} | " + " | ".join(cells + verdicts) + " |"
        )
    return "\n".join(lines)


def report(results: dict[str, list[dict]], per_seed: bool) -> None:
    """Mean RMSE / MAPE per arm and the paired rows of the full method against every other arm."""
    print(f"pretraining: {'per seed' if per_seed else 'once per arm and fold (seed 0)'}; {covers(per_seed)}")
    print(markdown(results))
    for setting, folds in results.items():
        means = {a: np.mean([e["rmse"] for f in folds for e in f[a]]) for a in ARMS}
        mapes = {a: np.mean([e["mape"] for f in folds for e in f[a]]) for a in ARMS}
        print(
            f"{setting} ({len(folds)} folds): "
            + ", ".join(f"{a} RMSE {means[a]:.4f} MAPE {mapes[a]:.1f}%" for a in ARMS)
        )
        print(format_comparison(rows(setting, folds)))


if __name__ == "__main__":
    main()
