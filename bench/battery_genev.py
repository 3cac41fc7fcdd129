"""GenEVBattery (Arunan et al., IEEE TII 2025) on real charging data: cross-cell, ageing shift, field packs.

Settings (``$SSL_DATA_DIR/battery``):
* cross-cell CALCE: hold out one of CS2_35..38 in turn; pretrain on the other cells' unlabelled snippets,
  fine-tune on 10% of their labelled curves, test on the held-out cell; the same over NASA B0005/6/7/18;
* ageing: CALCE, all cells; fine-tune on 10% of the early-life curves (first half of each cell's cycles),
  test on late life (pretraining sees the unlabelled snippets of all curves);
* packs: pretrain on all lab cells (CALCE + NASA), then leave-one-vehicle-out over the ten EV packs
  (fine-tune on all segments of nine, test on the tenth; errors pooled over the ten);
* lab-pretrained CALCE / NASA: the cross-cell folds again, with the unlabelled snippets of **every lab
  cell but the held-out one** (both datasets: "all cells but one") in pretraining; fine-tuning and
  test as in cross-cell.
Arms: BiLSTM from scratch, reconstruction only (SimMTM), contrastive only, full GenEV, and gradient
boosting on dQ/dV features. 3 seeds per fold; verdicts are paired t-intervals over the (fold, seed) units.
What the intervals cover depends on the pretraining mode:
* default: one pretraining per arm and fold with seed 0 (initialisation, batch order, masks, draw of the
  unlabelled windows), shared by the 3 fine-tuning seeds; the intervals cover the fine-tuning randomness
  (label subset, head, batch order) and the fold-to-fold spread, NOT the pretraining seed;
* ``--pretrain-per-seed``: seed ``s`` pretrains its own models (scratch: its own initialisation) and
  fine-tunes from them with seed ``s``; the intervals cover the pretraining seed as well as the
  fine-tuning randomness and the folds (3x the pretraining cost; seed 0 equals the default mode).

Hyper-parameters (defaults): hidden 8, 100 pretraining steps, tau 0.1, and no fine-tuning steps after
the ridge-probe head (the probe alone, every arm), chosen on validation cells with ``--tune``
(``bench/_battery_tune.py``: in each tuning fold the test cell is never read; 2026-12-05, with the
probe head; the earlier random-head choice was hidden 8, 50 steps, tau 0.2, lr 1e-4 x 150 / 300).

    nice -n 10 python bench/battery_genev.py --out bench_battery.json [--pretrain-per-seed]
    python bench/battery_genev.py --tune --out battery_tune.json       # the validation sweep
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
import _battery_arms  # noqa: E402
from _battery_arms import ARMS, packs_fold, run_fold  # noqa: E402
from _battery_tune import run as tune  # noqa: E402

Sft = tuple[float, int]  # the scratch arm's fine-tuning (lr, steps)
HOLDOUT = ("CS2_35", "CS2_36", "CS2_37", "CS2_38", "B0005", "B0006", "B0007", "B0018")


def cross_cell(
    args: GenEVArgs,
    name: str,
    curves: list,
    cell: str,
    steps: int,
    per_seed: bool,
    sft: Sft,
    lab: list | None = None,
) -> dict:
    """One cross-cell fold: ``cell`` held out, pretraining and fine-tuning on the other cells; with ``lab``
    (every lab cell's curves) the pretraining snippets come from all lab cells but ``cell`` (both datasets)."""
    data = from_curves(name, curves, GenEVArgs(**{**args.__dict__, "test_cells": [cell]}))
    splits = [
        labelled_split(data, args.label_fraction, args.windows_per_curve, s) for s in _battery_arms.SEEDS
    ]
    if lab is None:
        return run_fold(args, data, data.curve_ids("train"), splits, steps, per_seed, sft)
    pool = from_curves(
        "lab", [c for c in lab if c.cell != cell], GenEVArgs(**{**args.__dict__, "test_cells": []})
    )
    return run_fold(args, data, pool.curve_ids("train"), splits, steps, per_seed, sft, pre_data=pool)


def ageing(args: GenEVArgs, curves: list, steps: int, per_seed: bool, sft: Sft) -> dict:
    """Fine-tune on early life (first half of each cell's cycles), test on late life."""
    data = from_curves("calce", curves, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids = data.curve_ids("train")
    cyc, cells = np.array(data.cycles), np.array(data.cells)
    early = np.array([cyc[k] <= np.median(cyc[cells == cells[k]]) for k in ids])
    splits = [
        labelled_split(data, args.label_fraction, args.windows_per_curve, s, ids[early], ids[~early])
        for s in _battery_arms.SEEDS
    ]
    return run_fold(args, data, ids, splits, steps, per_seed, sft)


def packs(args: GenEVArgs, lab: list, vehicles: list, steps: int, per_seed: bool, sft: Sft) -> dict:
    """Pretrain on the lab cells (per arm, once or per seed); leave one vehicle out, pooled errors."""
    lab_data = from_curves("lab", lab, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    data = from_curves("packs", vehicles, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids, cells = data.curve_ids("train"), np.array(data.cells)
    folds = [labelled_split(data, 1.0, args.windows_per_curve, 0, ids[cells[ids] != v], ids[cells[ids] == v])
             for v in sorted(set(cells[ids]))]  # fmt: skip
    return packs_fold(args, lab_data, folds, steps, per_seed, sft)


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


def lab_curves() -> tuple[list, list]:
    """The CALCE CS2_35..38 and NASA B0005/6/7/18 charge curves of ``$SSL_DATA_DIR/battery``."""
    root = Path(os.environ.get("SSL_DATA_DIR", "../shared/data")) / "battery"
    calce = load_curves(str(root / "calce_cs2" / "raw_CS2_35")) + load_curves(
        str(root / "calce_cs2_raw_36_37_38")
    )
    return calce, load_curves(str(root / "nasa_pcoe_cycles"))


def jobs(ns: argparse.Namespace, args: GenEVArgs) -> list[tuple[str, str | None, Callable[[], dict]]]:
    """(setting, held-out cell or ``None``, fold job), in the order ``HOLDOUT``, ageing, packs, then
    ``HOLDOUT`` again with every lab cell but the held-out one in pretraining."""
    root = Path(os.environ.get("SSL_DATA_DIR", "../shared/data")) / "battery"
    calce, nasa = lab_curves()
    ev = load_curves(str(root / "ev_packs_deng2024" / "BatPackdata.mat"))
    st, ps = ns.steps, ns.pretrain_per_seed
    sft = (
        args.ft_lr if ns.scratch_ft_lr is None else ns.scratch_ft_lr,
        args.ft_steps if ns.scratch_ft_steps is None else ns.scratch_ft_steps,
    )
    sets = {"CALCE": ("calce", calce), "NASA": ("nasa", nasa)}
    cells = {"CALCE": HOLDOUT[:4], "NASA": HOLDOUT[4:]}
    out: list[tuple[str, str | None, Callable[[], dict]]] = [
        (f"cross-cell {k}", c, lambda k=k, c=c: cross_cell(args, *sets[k], c, st, ps, sft))
        for k in sets
        for c in cells[k]
    ]
    out += [
        ("ageing CALCE", None, lambda: ageing(args, calce, st, ps, sft)),
        ("packs LOVO", None, lambda: packs(args, calce + nasa, ev, st, ps, sft)),
    ]
    out += [
        (f"lab-pretrained {k}", c, lambda k=k, c=c: cross_cell(args, *sets[k], c, st, ps, sft, calce + nasa))
        for k in sets
        for c in cells[k]
    ]
    return out


def parser() -> argparse.ArgumentParser:
    """The command line."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("bench_battery.json"))
    # defaults: chosen on validation cells with the ridge-probe head (--tune, 2026-12-05 07:00 UTC;
    # plugin README, deviation 3); fine-tuning steps 0: the probe alone (lr then unused)
    p.add_argument("--steps", type=int, default=100, help="pretraining steps")
    p.add_argument("--hidden", type=int, default=8)
    p.add_argument("--ft-steps", type=int, default=0, help="fine-tuning steps from the probe (0: the probe)")
    p.add_argument("--ft-lr", type=float, default=1e-4)
    p.add_argument("--tau", type=float, default=0.1)
    p.add_argument("--scratch-ft-lr", type=float, default=1e-4, help="the scratch arm's own fine-tuning lr")
    p.add_argument("--scratch-ft-steps", type=int, default=0, help="the scratch arm's own fine-tuning steps")
    p.add_argument("--only", nargs="*", default=None,
                   help="settings to run, by name prefix: 'cross-cell CALCE', 'cross-cell NASA', "
                   "'ageing CALCE', 'packs LOVO', 'lab-pretrained CALCE', 'lab-pretrained NASA' (default: all)")  # fmt: skip
    p.add_argument("--holdout", nargs="*", default=None, help="cross-cell: only these held-out cells")
    p.add_argument("--merge", nargs="*", type=Path, default=None, help="print the tables of these JSON files")
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--seeds", type=int, nargs="*", default=None,
                   help="fine-tuning (and with --pretrain-per-seed, pretraining) seeds (default 0 1 2)")  # fmt: skip
    p.add_argument("--pretrain-per-seed", action="store_true",
                   help="fine-tuning seed s starts from arms pretrained with seed s (default: one "
                   "pretraining per arm and fold, seed 0)")  # fmt: skip
    p.add_argument("--tune", nargs="*", default=None, metavar="TEST_CELL",
                   help="choose the hyper-parameters on validation cells (bench/_battery_tune.py) in the "
                   "cross-cell folds of these test cells (default CS2_35 CS2_37 B0005 B0007); no test cell is read")  # fmt: skip
    p.add_argument("--tune-resume", type=Path, default=None, help="reuse the rows of an earlier --tune JSON")
    return p


def run_tune(ns: argparse.Namespace) -> None:
    """The validation sweep (``--tune``) over the cross-cell folds of the given test cells."""
    calce, nasa = lab_curves()
    cells = {"calce": list(HOLDOUT[:4]), "nasa": list(HOLDOUT[4:])}
    tests = ns.tune or ["CS2_35", "CS2_37", "B0005", "B0007"]
    args = GenEVArgs(windows_per_curve=ns.windows)
    tune(args, {"calce": calce, "nasa": nasa}, cells, tests, ns.out, ns.tune_resume)


def main() -> None:
    """Run the chosen settings / folds (writing the JSON after every fold), the sweep, or merge earlier runs."""
    ns = parser().parse_args()
    if ns.tune is not None:
        run_tune(ns)
        return
    if ns.merge:
        report(*merge(ns.merge))
        return
    if ns.seeds:
        _battery_arms.SEEDS = tuple(ns.seeds)
    args = GenEVArgs(
        hidden=ns.hidden, ft_steps=ns.ft_steps, ft_lr=ns.ft_lr, tau=ns.tau, windows_per_curve=ns.windows
    )
    todo = jobs(ns, args)
    # every setting early, so a cut-short run still covers all: first folds first, settings in turn
    settings = list(dict.fromkeys(setting for setting, _, _ in todo))
    rank = [sum(t[0] == todo[k][0] for t in todo[:k]) for k in range(len(todo))]
    order = sorted(range(len(todo)), key=lambda k: (rank[k], settings.index(todo[k][0])))
    results: dict[str, list[dict]] = {}
    for k in order:
        setting, cell, job = todo[k]
        if ns.only and not any(setting.startswith(o) for o in ns.only):
            continue
        if ns.holdout and cell is not None and cell not in ns.holdout:
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
