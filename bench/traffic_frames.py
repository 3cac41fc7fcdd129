"""Bench: ``traffic/frames`` (VICReg between frame projections) on real Los-loop windows, via the engine.

Trains the traffic plugin's ``traffic/frames`` recipe with :func:`ssl_core.engine.train`, reports RankMe of the step
embeddings over training (from ``metrics.jsonl``), then linear-probes the held-out sensors'
windows for time-of-day bucket and day type with the trained time-domain encoder vs a randomly
initialised copy (the probe split and the random initialisation change with each seed; with
``--retrain`` one SSL model is also trained per seed).

Usage::

    SSL_DATA_DIR=../shared/data python bench/traffic_frames.py [--steps 400] [--device cpu] \\
        [--seeds 0 1 2] [--retrain] [--set recipe_args.frame=wavelet] [--run-dir DIR] [--data CSV]

Needs the traffic plugin (``ssl-plugin-traffic``). Until issue #11 the recipe lived in the core as
``core/vicreg-frames`` (``bench/core_frames.py``); labels and initial weights are identical and the
standardised inputs agree within 1e-5 (the scaler now uses the population std of valid readings).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch
from ssl_plugin_traffic.frames.recipe import NAME

from ssl_core.config import load_run_config
from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.evaluation import ComparisonRow, format_comparison, linear_probe, over_seeds
from ssl_core.evaluation.generic import embed_dataset, reinitialised
from ssl_core.interfaces import Recipe, SSLModule
from ssl_core.monitors import rankme
from ssl_core.utils.bench import print_table

LOS_LOOP = Path("traffic") / "los_loop" / "los_speed.csv"


def los_loop_path(data: str | None) -> str:
    """``data``, else ``$SSL_DATA_DIR/traffic/los_loop/los_speed.csv`` (exits with a message if neither)."""
    if data:
        return data
    root = os.environ.get("SSL_DATA_DIR", "").strip()
    if not root:
        sys.exit(f"pass --data or set SSL_DATA_DIR (expected $SSL_DATA_DIR/{LOS_LOOP})")
    return str(Path(root).expanduser() / LOS_LOOP)


def base_config(steps: int, batch_size: int, device: str, data: str) -> dict:
    """The bench's run configuration (recipe defaults, AdamW 2e-3 with warmup-cosine)."""
    return {
        "recipe": NAME,
        "recipe_args": {"data": data},
        "train": {
            "steps": steps,
            "batch_size": batch_size,
            "device": device,
            "seed": 0,
            "log_every": 10,
            "monitor_every": max(1, steps // 10),
            "ckpt_every": steps,
            "progress": False,
        },
        "optim": {
            "name": "adamw",
            "lr": 2e-3,
            "weight_decay": 1e-4,
            "schedule": {"name": "warmup_cosine", "warmup_steps": max(1, steps // 10), "final_ratio": 0.1},
        },
    }


def rankme_curve(run_dir: Path) -> list[dict[str, float]]:
    """``[{step, rankme}]`` rows logged by the engine's monitors."""
    rows = []
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        row = json.loads(line)
        if "monitor/rankme" in row:
            rows.append(
                {
                    "step": row["step"],
                    "rankme": round(row["monitor/rankme"], 2),
                    "loss": round(row.get("loss", float("nan")), 3),
                }
            )
    return rows


def probe_rows(
    modules: dict[int, SSLModule], recipe: Recipe, seeds: list[int]
) -> tuple[list[ComparisonRow], dict[str, float]]:
    """Linear probes (time-of-day, day type) of trained vs random-init encoders over ``seeds``.

    ``modules[s]`` is the trained module probed with seed ``s`` (the same module for every seed
    unless one model was trained per seed); seed ``s`` also fixes the probe split and the random init.
    """
    data = recipe.eval_data
    if not isinstance(data, TensorDictDataset):
        raise TypeError(f"{recipe.name}: eval_data must be a TensorDictDataset with tod/daytype labels")
    cache: dict[int, torch.Tensor] = {}
    for module in modules.values():
        if id(module) not in cache:
            cache[id(module)] = embed_dataset(module, data)[0]
    x_ssl = {s: cache[id(modules[s])] for s in seeds}
    labels = {k: data.tensors[k] for k in ("tod", "daytype")}
    random_emb = {s: embed_dataset(reinitialised(modules[s], seed=1000 + s), data)[0] for s in seeds}

    def probe(x: torch.Tensor, y: torch.Tensor, seed: int) -> dict[str, float]:
        perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
        tr, te = perm[: len(x) // 2], perm[len(x) // 2 :]
        return linear_probe(x[tr], y[tr], x[te], y[te], epochs=200, lr=1e-2, seed=seed)

    rows = []
    for task, y in labels.items():
        ssl = over_seeds(lambda s, y=y: probe(x_ssl[s], y, s), seeds)["acc"]
        base = over_seeds(lambda s, y=y: probe(random_emb[s], y, s), seeds)["acc"]
        chance = float(torch.bincount(y).max()) / len(y)
        extra = {"baseline": "random-init encoder", "majority": round(chance, 3)}
        rows.append(ComparisonRow(task, "acc", ssl, base, True, extra))
    ranks = {
        "rankme/eval_trained": rankme(x_ssl[seeds[0]]),
        "rankme/eval_random": rankme(random_emb[seeds[0]]),
    }
    return rows, ranks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--data", default=None, help="los_speed.csv (default: $SSL_DATA_DIR/traffic/...)")
    parser.add_argument("--run-dir", default=None)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument(
        "--retrain", action="store_true", help="train one SSL model per seed (train.seed = recipe seed = s)"
    )
    args = parser.parse_args(argv)
    base = base_config(args.steps, args.batch_size, args.device, los_loop_path(args.data))
    root = Path(args.run_dir) if args.run_dir else Path(tempfile.mkdtemp(prefix="traffic_frames_"))
    t0 = time.perf_counter()
    train_seeds = args.seeds if args.retrain else [0]
    trained = {}
    for s in train_seeds:
        seed_set = [f"train.seed={s}", f"recipe_args.seed={s}"]
        config = load_run_config(base, [*args.overrides, *seed_set])
        trained[s] = train(config, root / f"seed_{s}", force=True)
    result = trained[train_seeds[0]]
    modules = {s: trained[s if args.retrain else 0].module for s in args.seeds}
    train_s = time.perf_counter() - t0
    curve = rankme_curve(result.run_dir)
    print_table(curve, "RankMe of the training batch embeddings (engine monitor)")
    t1 = time.perf_counter()
    rows, ranks = probe_rows(modules, result.recipe, args.seeds)
    n_eval = len(result.recipe.eval_data)  # type: ignore[arg-type]
    probe_s = time.perf_counter() - t1
    print(
        f"\nLinear probe on held-out sensors ({n_eval} windows, 50/50 split per seed, "
        f"seeds {args.seeds}, {'one SSL model per seed' if args.retrain else 'one SSL model'})"
    )
    print(format_comparison(rows))
    summary = {
        "steps": result.step,
        "train_s": round(train_s, 1),
        "probe_s": round(probe_s, 1),
        "device": str(next(result.module.parameters()).device),
        "torch": torch.__version__,
        **{k: round(v, 2) for k, v in ranks.items()},
        "rankme_first": curve[0]["rankme"] if curve else float("nan"),
        "rankme_last": curve[-1]["rankme"] if curve else float("nan"),
    }
    print_table([summary], "summary")
    print(f"overrides: {args.overrides or 'none'}; run dir: {result.run_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
