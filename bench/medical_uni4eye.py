"""Uni4Eye (Cai et al., MICCAI 2022) on real MedMNIST data: the paper's 10% / 100% label protocol.

Pretrain (labels unused) on the train splits of BreastMNIST (2D, 546 images) and AdrenalMNIST3D (3D,
1188 volumes), 28 px / 28^3, the plugin's default model (ViT 64 x 4, patch 4 for 2D / 7 for 3D):

* ``mae-pixel``: joint 2D + 3D, pixel branch only (lambda = 0);
* ``single``: Uni4Eye on its own dimensionality (one run for 2D, one for 3D);
* ``joint``: Uni4Eye jointly on 2D + 3D (alternating steps);

then per task, label fraction and seed: fine-tuning (encoder + linear head) and a linear probe, next to
``scratch`` (the same ViT from random weights) and ``cnn`` (a small CNN from scratch). Each arm's
mean over seeds with a 95% t-interval, and paired verdicts over seeds. Also per-epoch time, samples/s
and peak RSS of every pretraining run.

What the intervals cover depends on one option:

* default: pretraining runs once (seed 0) and every seed reuses those four models; the seed fixes the
  labelled subset and the head / fine-tuning / scratch-ViT / CNN initialisation for every arm, so the
  intervals cover the downstream randomness only, not the pretraining seed;
* ``--pretrain-per-seed``: seed ``s`` pretrains its own four models (``mae-pixel``, ``uni4eye-2d``,
  ``uni4eye-3d``, ``uni4eye-joint``) with seed ``s`` (initialisation, sampling order, masks), and the
  downstream runs of seed ``s`` use them; the paired unit is then the seed, and the intervals cover
  pretraining + labelled subset + head together (pretraining costs once per seed).

Extra 3D data (``--extra-3d``, the default; ``--no-extra-3d`` reproduces the figures before it): the
CT (JPEG 2000) and MR EPI DICOM series and the two NIfTI volumes under ``$SSL_DATA_DIR/medical`` join the
3D training items of ``mae-pixel``, ``uni4eye-3d`` and ``uni4eye-joint``: each volume through the plugin's
readers and intensity normalisation, resampled to 1.4 mm isotropic and cut on a regular grid of
non-overlapping 28^3 crops, mostly-background crops dropped (372 crops; ``ssl_plugin_medical.crops``).
They are unlabelled and only pretrain; the downstream splits are AdrenalMNIST3D's.

Seeds can run as separate processes (``--seeds 0 --json a.json`` and ``--seeds 1 --json b.json``);
``--report a.json,b.json`` merges their runs (in file order) and prints the tables of all seeds.

Example (the numbers in the plugin README)::

    SSL_DATA_DIR=/work/shared/data OMP_NUM_THREADS=1 python bench/medical_uni4eye.py --seeds 0,1,2 \
        --steps-per-dim 150 --ft-epochs 15 --cnn-epochs 8 --pretrain-per-seed --json /tmp/medical_extra.json --markdown
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _medical_arms import downstream, extra_3d_paths, pretrain_arms, task_modules, values  # noqa: E402
from ssl_plugin_medical.config import Uni4EyeArgs  # noqa: E402
from ssl_plugin_medical.data import fit_stats  # noqa: E402
from ssl_plugin_medical.method import build_uni4eye  # noqa: E402

from ssl_core.evaluation import ComparisonRow, format_comparison  # noqa: E402
from ssl_core.evaluation.intervals import paired_t_interval  # noqa: E402
from ssl_core.utils.bench import markdown_table, print_table  # noqa: E402

TASKS = {2: "BreastMNIST (2D)", 3: "AdrenalMNIST3D (3D)"}
#: The paper's claims at 10% labels, paired as (better arm, worse arm).
CLAIMS = [("joint", "mae"), ("mae", "scratch"), ("joint", "single"), ("joint", "cnn")]


def _interval(v: Any) -> str:
    import numpy as np

    v = np.asarray(v, dtype=float)
    if len(v) < 2:
        return f"{v.mean():.3f}"
    if np.ptp(v) == 0:  # one model scored identically on every seed: no interval, not "± 0.000"
        return f"{v[0]:.3f} (same on every seed)"
    _, low, high = paired_t_interval(v, np.zeros_like(v))
    return f"{v.mean():.3f} ± {(high - low) / 2:.3f}"


def _downstream_seeds(args: argparse.Namespace, pretrained: dict[str, Any], data: Any, seeds: list[int],
                      log: dict[str, Any], pretrain_seed: int) -> None:  # fmt: skip
    """Every task / fraction for ``seeds`` with one set of pretrained models; appends to ``log["runs"]``."""
    cache: dict[Any, Any] = {}
    # scratch ViT and CNN normalise with the labelled training splits' statistics: the same with or without
    # the extra 3D crops (which shift the pretrained runs' 3D statistics, kept in their own modules)
    stats = {d: fit_stats(s.x) for d, s in data.splits["train"].items()}
    for ndim in (2, 3):
        train, test = data.splits["train"][ndim], data.splits["test"][ndim]
        modules = task_modules(pretrained, ndim)
        for fraction in args.fractions:
            for seed in seeds:
                torch.manual_seed(1000 + seed)
                scratch = build_uni4eye(Uni4EyeArgs(), (2, 3), stats).eval()
                t = time.perf_counter()
                got = downstream(modules, scratch, train, test, ndim, fraction, seed, ft_epochs=args.ft_epochs,
                                 probe_epochs=args.probe_epochs, cnn_epochs=args.cnn_epochs,
                                 finetune=fraction in args.finetune_fractions, cache=cache)  # fmt: skip
                print(f"[{TASKS[ndim]} {fraction:.0%} seed {seed} pretrain seed {pretrain_seed}] "
                      f"{time.perf_counter() - t:.0f}s "
                      + json.dumps({k: {m: round(v, 4) for m, v in d.items()} for k, d in got.items()}), flush=True)  # fmt: skip
                got["meta"] = {"seed": seed, "pretrain_seed": pretrain_seed}
                log["runs"].setdefault(f"{ndim}/{fraction}", []).append(got)
                if args.json:
                    Path(args.json).write_text(json.dumps(log, indent=1))


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Pretrain (once, or per seed with ``--pretrain-per-seed``), then every downstream run."""
    from ssl_core.engine import load_run

    work = Path(tempfile.mkdtemp(prefix="medical-bench-"))
    log: dict[str, Any] = {"args": vars(args), "timing": {}, "runs": {}, "start_utc": _utc()}
    groups = [(s, [s]) for s in args.seeds] if args.pretrain_per_seed else [(0, list(args.seeds))]
    extra = extra_3d_paths() if args.extra_3d else None
    if extra:
        from ssl_plugin_medical.crops import extra_crops

        a = Uni4EyeArgs()  # the recipe's defaults, as every pretraining run uses them
        crops, counts = extra_crops(extra, a.size, a.extra_3d_spacing, a.window, a.extra_3d_min_foreground)
        log["extra_3d"] = {"crops": len(crops), "per_source": counts, "spacing_mm": a.extra_3d_spacing}
        print(
            f"[extra 3D] {len(crops)} crops of {a.size}^3 at {a.extra_3d_spacing:g} mm: {counts}", flush=True
        )
    for pretrain_seed, seeds in groups:
        pretrained, timing = pretrain_arms(
            args.steps_per_dim, work / f"seed{pretrain_seed}", pretrain_seed, extra
        )
        suffix = f" (seed {pretrain_seed})" if args.pretrain_per_seed else ""
        log["timing"].update({f"{arm}{suffix}": t for arm, t in timing.items()})
        data = load_run(work / f"seed{pretrain_seed}" / "uni4eye-joint").recipe.data
        _downstream_seeds(args, pretrained, data, seeds, log, pretrain_seed)
    log["end_utc"] = _utc()
    if args.json:
        Path(args.json).write_text(json.dumps(log, indent=1))
    return log


def _utc() -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def merge(paths: list[str]) -> dict[str, Any]:
    """One log from several ``--json`` files (e.g. one process per seed): runs concatenated in file order."""
    logs = [json.loads(Path(p).read_text()) for p in paths]
    fixed = [
        {k: v for k, v in log["args"].items() if k not in ("seeds", "json", "report", "markdown")}
        for log in logs
    ]
    if any(f != fixed[0] for f in fixed):
        raise SystemExit(f"--report: the files differ in settings other than the seeds: {fixed}")
    merged: dict[str, Any] = {"args": logs[0]["args"], "timing": {}, "runs": {}, "merged_from": paths}
    for log in logs:
        merged["timing"].update(log["timing"])
        for key, runs in log["runs"].items():
            merged["runs"].setdefault(key, []).extend(runs)
    return merged


def report(log: dict[str, Any], markdown: bool = False) -> None:
    """Per task / fraction / protocol: every arm's mean ± 95% half-width, then the paired claims."""
    table, claims = [], []
    for key, runs in log["runs"].items():
        ndim, fraction = int(key.split("/")[0]), float(key.split("/")[1])
        for proto in ("ft", "lp"):
            if f"{proto}/joint" not in runs[0]:
                continue
            row: dict[str, Any] = {"task": TASKS[ndim], "labels": f"{fraction:.0%}",
                                   "protocol": "fine-tune" if proto == "ft" else "linear probe"}  # fmt: skip
            for metric in ("auc", "acc"):
                for arm in ("scratch", "mae", "single", "joint"):
                    row[f"{arm} {metric}"] = _interval(values(runs, f"{proto}/{arm}", metric))
                row[f"cnn {metric}"] = _interval(values(runs, "cnn", metric))
            table.append(row)
            for better, worse in CLAIMS:
                for metric in ("auc", "acc"):
                    a = values(runs, "cnn" if better == "cnn" else f"{proto}/{better}", metric)
                    b = values(runs, "cnn" if worse == "cnn" else f"{proto}/{worse}", metric)
                    claims.append(ComparisonRow.from_seeds(
                        f"{TASKS[ndim]} {fraction:.0%} {row['protocol']}", metric, a, b,
                        extra={"baseline": f"{better} vs {worse}"}))  # fmt: skip
    per_seed = log["args"].get("pretrain_per_seed", False)
    covers = (
        "pretraining per seed + labels + head" if per_seed else "pretraining once (seed 0); labels + head"
    )
    covers += "; extra 3D crops" if log["args"].get("extra_3d", False) else "; MedMNIST train splits only"
    print_table(table, f"Uni4Eye arms: mean ± 95% half-width over seeds ({covers})")
    print(format_comparison(claims, width=120))
    if markdown:
        print(markdown_table(table))
        print(markdown_table([{"claim": r.extra["baseline"], "task": r.task, "metric": r.metric,
                               "diff [95% CI]": f"{r.delta:+.3f} [{r.diff_ci[0]:+.3f}, {r.diff_ci[1]:+.3f}]"
                               if r.diff_ci else f"{r.delta:+.3f}", "verdict": r.verdict} for r in claims if r.metric == "auc"]))  # fmt: skip
    print_table([{"arm": k, **{m: round(v, 2) for m, v in t.items()}} for k, t in log["timing"].items()],
                "pretraining: wall, samples/s, s per epoch, peak RSS (MB)")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[0, 1, 2])
    p.add_argument("--fractions", type=lambda s: [float(x) for x in s.split(",")], default=[0.1, 1.0])
    p.add_argument("--finetune-fractions", type=lambda s: [float(x) for x in s.split(",")], default=[0.1])
    p.add_argument("--steps-per-dim", type=int, default=300)
    p.add_argument("--ft-epochs", type=int, default=30)
    p.add_argument("--probe-epochs", type=int, default=100)
    p.add_argument("--cnn-epochs", type=int, default=15)
    p.add_argument("--json", default="")
    p.add_argument(
        "--pretrain-per-seed",
        action="store_true",
        help="Pretrain every arm once per seed (with that seed) instead of once with seed 0.",
    )
    p.add_argument(
        "--extra-3d",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="Add the CT / MR DICOM series and NIfTI volumes of $SSL_DATA_DIR/medical as 28^3 crops to 3D "
        "pretraining (--no-extra-3d: MedMNIST train splits only, the earlier figures).",
    )
    p.add_argument(
        "--report",
        default="",
        help="Only print the tables of --json file(s), comma-separated (merged into --json if given).",
    )
    p.add_argument("--markdown", action="store_true", help="Also print the tables as markdown.")
    args = p.parse_args()
    if args.report:
        log = merge(args.report.split(","))
        if args.json:
            Path(args.json).write_text(json.dumps(log, indent=1))
    else:
        log = run(args)
    report(log, args.markdown)


if __name__ == "__main__":
    main()
