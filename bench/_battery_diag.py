"""Why GenEVBattery's pretraining adds nothing measurable (issue #18): a diagnosis on validation cells only.

Uses the tuning folds of ``bench/_battery_tune.py`` (test cell dropped and never read; the validation cell
scored), 3 seeds, each seed pretraining its own model (as ``--pretrain-per-seed``), and the tuned values
(hidden 8, 50 pretraining steps, tau 0.2, fine-tuning lr 1e-4). Per arm (scratch = random init, full,
contrastive-only, reconstruction-only) it reports:

1. pretraining: the two losses at the first and last steps and the learned uncertainty weights
   ``0.5 / sigma_k^2``; snippet-vector statistics (mean per-dimension std, effective rank) on the
   validation snippets;
2. a frozen-encoder ridge probe (standardised inputs, ridge penalty chosen by leave-one-out on the
   labelled snippets) on the snippet vectors + normalisation statistics, on the statistics alone, and the
   labelled-mean predictor;
3. fine-tuning: validation RMSE after 0 steps (the new head only), and along fine-tuning.

    SSL_DATA_DIR=../shared/data OMP_NUM_THREADS=1 python bench/_battery_diag.py --out battery_diag.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import RidgeCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.encoders import instance_norm
from ssl_plugin_battery.finetune import Split, errors, finetune_predict
from ssl_plugin_battery.method import GenEV

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _battery_arms import SEEDS, pretrain  # noqa: E402
from _battery_tune import val_folds  # noqa: E402
from battery_genev import HOLDOUT, lab_curves  # noqa: E402

ARMS = {"scratch": ("full", 0), "full": ("full", None), "contrastive": ("contrastive", None),
        "reconstruction": ("reconstruction", None)}  # fmt: skip
TESTS = ["CS2_35", "CS2_37", "B0005", "B0007"]


@contextmanager
def loss_log():
    """Record the metrics (losses, sigmas) of every training-mode GenEV forward while active."""
    log: list[dict[str, float]] = []

    def hook(module, _inputs, out):  # noqa: ANN001, ANN202
        if isinstance(module, GenEV) and module.training:
            log.append({k: float(v) for k, v in out.metrics.items()})

    handle = torch.nn.modules.module.register_module_forward_hook(hook)
    try:
        yield log
    finally:
        handle.remove()


def features(module: GenEV, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """``(snippet vectors, normalisation statistics)`` of unmasked snippets, as the regression head sees them."""
    _, mean, std = instance_norm(x)
    stats = torch.cat([mean.squeeze(1), std.squeeze(1).log()], dim=1)
    return module.embed({"x": x}).numpy(), stats.numpy()


def rep_stats(s: np.ndarray) -> dict[str, float]:
    """Mean per-dimension std and effective rank (exp entropy of the normalised singular values)."""
    sv = np.linalg.svd(s - s.mean(0), compute_uv=False)
    p = sv / sv.sum()
    return {"feat_std": float(s.std(0).mean()), "eff_rank": float(np.exp(-(p * np.log(p + 1e-12)).sum()))}


def probe(xtr: np.ndarray, ytr: np.ndarray, xte: np.ndarray, yte: np.ndarray) -> float:
    """Validation RMSE of a standardised ridge probe (penalty by leave-one-out on the labelled snippets)."""
    model = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-2, 4, 13)))
    model.fit(xtr, ytr)
    return float(np.sqrt(np.mean((model.predict(xte) - yte) ** 2)))


def probes(module: GenEV, split: Split) -> dict[str, float]:
    """Ridge probes (snippet vectors + stats, vectors alone, stats alone) and the labelled-mean predictor."""
    s, st = features(module, split.x)
    ts, tst = features(module, split.test_x)
    y, ty = split.y.numpy(), split.test_y.numpy()
    return {
        "probe_vec+stats": probe(np.hstack([s, st]), y, np.hstack([ts, tst]), ty),
        "probe_vec": probe(s, y, ts, ty),
        "probe_stats": probe(st, y, tst, ty),
        "mean_pred": float(np.sqrt(np.mean((y.mean() - ty) ** 2))),
    }


def ft_curve(module: GenEV, split: Split, seed: int, plan: list[tuple[float, int, bool]]) -> dict[str, float]:
    """Validation RMSE after fine-tuning ``steps`` at ``lr`` from a random (the former default) or a
    ridge-probe head, for each ``(lr, steps, probe)`` (0 steps: the initial head only)."""
    out = {}
    for lr, steps, probe_init in plan:
        pred = finetune_predict(module.regression_model(), split, steps=steps, lr=lr, seed=seed,
                                probe_init=probe_init)  # fmt: skip
        out[f"ft {'probe' if probe_init else 'random'} head lr{lr:g} x{steps}"] = errors(pred, split)["rmse"]
    return out


def unit(args: GenEVArgs, fold, seed: int, arm: str, steps: int, plan: list) -> dict:  # noqa: ANN001
    """Every diagnostic of one (fold, seed, arm)."""
    loss, n = ARMS[arm]
    x, _ = fold.data.snippets(fold.data.curve_ids("train"), args.windows_per_curve, seed)
    with loss_log() as log:
        module = pretrain(args, x, loss, steps if n is None else n, seed=seed)
    split = fold.splits[SEEDS.index(seed)]
    row = {"fold": fold.name, "seed": seed, "arm": arm}
    if log:
        first, last = np.mean([list(m.values()) for m in log[:5]], 0), log[-1]
        row.update({f"first {k}": float(v) for k, v in zip(log[0], first)})
        row.update({f"last {k}": v for k, v in last.items()})
        row.update({f"weight {k[6:]}": 0.5 / v**2 for k, v in last.items() if k.startswith("sigma/")})
    row.update(rep_stats(features(module, split.test_x)[0]))
    row.update(probes(module, split))
    row.update(ft_curve(module, split, seed, plan))
    return row


def summary(rows: list[dict]) -> str:
    """Markdown: per arm, mean over folds of each numeric column, then the 3-seed mean and spread."""
    keys = [k for k in rows[0] if k not in ("fold", "seed", "arm")]
    keys += sorted({k for r in rows for k in r} - set(keys) - {"fold", "seed", "arm"})
    lines = []
    for group in sorted({r["fold"].split()[0] for r in rows}) + ["all"]:
        sub = [r for r in rows if group == "all" or r["fold"].startswith(group)]
        lines += [f"\n{group}: mean over folds, then mean ± std over seeds", "| quantity | " + " | ".join(ARMS) + " |",
                  "|---|" + "---|" * len(ARMS)]  # fmt: skip
        for k in keys:
            cells = []
            for arm in ARMS:
                per = [np.mean([r[k] for r in sub if r["arm"] == arm and r["seed"] == s and k in r]
                               or [np.nan]) for s in SEEDS]  # fmt: skip
                cells.append(
                    "-" if np.isnan(per).all() else f"{np.mean(per):.4g} ± {np.std(per, ddof=1):.2g}"
                )
            lines.append(f"| {k} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    """Run every (fold, seed, arm) unit, writing the JSON after each, and print the summary tables."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, default=Path("battery_diag.json"))
    p.add_argument("--steps", type=int, default=50, help="pretraining steps")
    p.add_argument("--hidden", type=int, default=8)
    p.add_argument("--tau", type=float, default=0.2)
    p.add_argument("--windows", type=int, default=4)
    p.add_argument("--plan", nargs="*", default=["1e-4:0:random", "1e-4:150:random", "1e-4:600:random",
                   "1e-3:150:random", "1e-4:0:probe", "1e-4:150:probe", "1e-4:300:probe", "1e-3:150:probe"],
                   help="fine-tuning lr:steps:head points (head: random or probe)")  # fmt: skip
    p.add_argument("--arms", nargs="*", default=list(ARMS))
    ns = p.parse_args()
    args = GenEVArgs(hidden=ns.hidden, tau=ns.tau, windows_per_curve=ns.windows)
    plan = [(float(a), int(b), c == "probe") for a, b, c in (s.split(":") for s in ns.plan)]
    calce, nasa = lab_curves()
    cells = {"calce": list(HOLDOUT[:4]), "nasa": list(HOLDOUT[4:])}
    folds = val_folds({"calce": calce, "nasa": nasa}, args, cells, TESTS)
    rows = []
    for fold in folds:
        for seed in SEEDS:
            for arm in ns.arms:
                t0 = time.perf_counter()
                rows.append(unit(args, fold, seed, arm, ns.steps, plan))
                print(f"{fold.name} seed {seed} {arm}: {time.perf_counter() - t0:.1f} s", flush=True)
                ns.out.write_text(json.dumps({"config": vars(ns) | {"out": str(ns.out)}, "rows": rows}))
    print(summary(rows))


if __name__ == "__main__":
    main()
