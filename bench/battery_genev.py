"""GenEVBattery (Arunan et al., IEEE TII 2025) on real charging data: cross-cell, ageing shift, field packs.

Settings (``$SSL_DATA_DIR/battery``):
* cross-cell CALCE: hold out one of CS2_35..38 in turn; pretrain on the other cells' unlabelled snippets,
  fine-tune on 10% of their labelled curves, test on the held-out cell; the same over NASA B0005/6/7/18;
* ageing: CALCE, all cells; fine-tune on 10% of the early-life curves (first half of each cell's cycles),
  test on late life (pretraining sees the unlabelled snippets of all curves);
* packs: pretrain on all lab cells (CALCE + NASA), then leave-one-vehicle-out over the ten EV packs
  (fine-tune on all segments of nine, test on the tenth; errors pooled over the ten).
Arms: BiLSTM from scratch, reconstruction only (SimMTM), contrastive only, full GenEV, and gradient
boosting on dQ/dV features. Per fold one pretraining per arm (seed 0) and 3 fine-tuning seeds (label
subset and head); verdicts are paired t-intervals over the (fold, seed) units.

    nice -n 10 python bench/battery_genev.py --out bench_battery.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import torch
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import BatteryData, from_curves
from ssl_plugin_battery.finetune import Split, errors, finetune_predict, ic_baseline, labelled_split
from ssl_plugin_battery.method import GenEV, build_genev
from ssl_plugin_battery.sources import load_curves

from ssl_core.evaluation import ComparisonRow, format_comparison

HOLDOUT = ("CS2_35", "CS2_36", "CS2_37", "CS2_38", "B0005", "B0006", "B0007", "B0018")
ARMS = ("scratch", "reconstruction", "contrastive", "full", "ic")
SEEDS = (0, 1, 2)


def pretrain(args: GenEVArgs, x: torch.Tensor, loss: str, steps: int, batch: int = 32) -> GenEV:
    """GenEV (``loss``) trained ``steps`` Adam steps (lr 1e-3) on snippets ``x``; scratch when steps == 0."""
    torch.manual_seed(0)
    module = build_genev(GenEVArgs(**{**args.__dict__, "loss": loss}), 4)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(0)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch,), generator=gen)
        out = module({"x": x[idx]}, gen)
        opt.zero_grad()
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        opt.step()
    return module.eval()


def run_fold(
    args: GenEVArgs, data: BatteryData, pre_ids: np.ndarray, splits: list[Split], steps: int
) -> dict[str, list[dict[str, float]]]:
    """Errors of every arm on ``splits`` (one per seed) after pretraining on the curves ``pre_ids``."""
    x, _ = data.snippets(pre_ids, args.windows_per_curve, 0)
    out: dict[str, list[dict[str, float]]] = {}
    for arm in ARMS:
        if arm == "ic":
            out[arm] = [errors(ic_baseline(s, seed), s) for seed, s in zip(SEEDS, splits)]
            continue
        module = pretrain(args, x, "full" if arm == "scratch" else arm, 0 if arm == "scratch" else steps)
        out[arm] = [errors(finetune_predict(module.regression_model(), s, steps=args.ft_steps, lr=args.ft_lr, seed=seed), s)
                    for seed, s in zip(SEEDS, splits)]  # fmt: skip
    return out


def cross_cell(args: GenEVArgs, name: str, curves: list, cell: str, steps: int) -> dict:
    data = from_curves(name, curves, GenEVArgs(**{**args.__dict__, "test_cells": [cell]}))
    splits = [labelled_split(data, args.label_fraction, args.windows_per_curve, s) for s in SEEDS]
    return run_fold(args, data, data.curve_ids("train"), splits, steps)


def ageing(args: GenEVArgs, curves: list, steps: int) -> dict:
    data = from_curves("calce", curves, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids = data.curve_ids("train")
    cyc, cells = np.array(data.cycles), np.array(data.cells)
    early = np.array([cyc[k] <= np.median(cyc[cells == cells[k]]) for k in ids])
    splits = [
        labelled_split(data, args.label_fraction, args.windows_per_curve, s, ids[early], ids[~early])
        for s in SEEDS
    ]
    return run_fold(args, data, ids, splits, steps)


def packs(args: GenEVArgs, lab: list, vehicles: list, steps: int) -> dict:
    """Pretrain on the lab cells once per arm; leave one vehicle out, pooled squared / percentage errors."""
    lab_data = from_curves("lab", lab, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    x, _ = lab_data.snippets(lab_data.curve_ids("train"), args.windows_per_curve, 0)
    data = from_curves("packs", vehicles, GenEVArgs(**{**args.__dict__, "test_cells": []}))
    ids, cells = data.curve_ids("train"), np.array(data.cells)
    folds = [labelled_split(data, 1.0, args.windows_per_curve, 0, ids[cells[ids] != v], ids[cells[ids] == v])
             for v in sorted(set(cells[ids]))]  # fmt: skip
    modules = {
        arm: pretrain(args, x, "full" if arm == "scratch" else arm, 0 if arm == "scratch" else steps)
        for arm in ARMS
        if arm != "ic"
    }
    out: dict[str, list[dict[str, float]]] = {arm: [] for arm in ARMS}
    for seed in SEEDS:
        for arm in ARMS:
            preds = [ic_baseline(f, seed) if arm == "ic" else
                     finetune_predict(modules[arm].regression_model(), f, steps=args.ft_steps, lr=args.ft_lr, seed=seed)
                     for f in folds]  # fmt: skip
            pooled = Split(folds[0].x, folds[0].y, torch.cat([f.test_x for f in folds]), torch.cat([f.test_y for f in folds]),
                           np.concatenate([f.test_curve for f in folds]), 0)  # fmt: skip
            out[arm].append(errors(np.concatenate(preds), pooled))
    return out


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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("bench_battery.json"))
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--ft-steps", type=int, default=150)
    p.add_argument("--only", nargs="*", default=None, help="settings to run (default: all)")
    p.add_argument("--holdout", nargs="*", default=None, help="cross-cell: only these held-out cells")
    p.add_argument("--merge", nargs="*", type=Path, default=None, help="print the tables of these JSON files")
    p.add_argument("--windows", type=int, default=4)
    ns = p.parse_args()
    if ns.merge:
        merged: dict[str, list[dict]] = {}
        for path in ns.merge:
            for setting, folds in json.loads(path.read_text())["results"].items():
                merged.setdefault(setting, []).extend(folds)
        report(merged)
        return
    root = Path(os.environ.get("SSL_DATA_DIR", "../shared/data")) / "battery"
    args = GenEVArgs(hidden=ns.hidden, ft_steps=ns.ft_steps, windows_per_curve=ns.windows)
    calce = load_curves(str(root / "calce_cs2" / "raw_CS2_35")) + load_curves(
        str(root / "calce_cs2_raw_36_37_38")
    )
    nasa = load_curves(str(root / "nasa_pcoe_cycles"))
    ev = load_curves(str(root / "ev_packs_deng2024" / "BatPackdata.mat"))
    jobs = [
        ("cross-cell CALCE", lambda c=c: cross_cell(args, "calce", calce, c, ns.steps))
        for c in ("CS2_35", "CS2_36", "CS2_37", "CS2_38")
    ]
    jobs += [
        ("cross-cell NASA", lambda c=c: cross_cell(args, "nasa", nasa, c, ns.steps))
        for c in ("B0005", "B0006", "B0007", "B0018")
    ]
    jobs += [
        ("ageing CALCE", lambda: ageing(args, calce, ns.steps)),
        ("packs LOVO", lambda: packs(args, calce + nasa, ev, ns.steps)),
    ]
    order = [0, 4, 8, 9, 1, 5, 2, 6, 3, 7]  # every setting early, so a cut-short run still covers all
    results: dict[str, list[dict]] = {}
    for k in order:
        setting, job = jobs[k]
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
    report(results)


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


def report(results: dict[str, list[dict]]) -> None:
    """Mean RMSE / MAPE per arm and the paired rows of the full method against every other arm."""
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
