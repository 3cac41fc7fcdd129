"""ST-SSDL evidence on real data (SZ-taxi, Los-loop): accuracy over seeds, speed and memory.

Usage::

    SSL_DATA_DIR=/work/shared/data python bench/traffic_stssdl.py            # everything (~15 min idle CPU)
    python bench/traffic_stssdl.py --part accuracy --seeds 0 1 2 --epochs 4
    python bench/traffic_stssdl.py --part speed --steps 1 --repeats 3
    python bench/traffic_stssdl.py --part profile [--precision bf16] [--recompute on|off|auto]
    python bench/traffic_stssdl.py --part ceiling   # product ceilings + the bf16 non-GEMM floor (~3 min)

accuracy: ST-SSDL vs the no-SSL ablation (no history branch, lambda_c = lambda_d = 0), the
history-average and last-value baselines; 12 steps in / 12 out, 70/10/20 chronological splits;
a REDUCED model (see ACCURACY_ARGS) for a few epochs so 3 seeds fit the CPU budget. Reports
MAE/RMSE/MAPE averaged and at steps 3/6/12, and MAE by input-deviation tercile.

speed: the OFFICIAL size (rnn_units 128, 20x64 prototypes, d_in/node/tod 3/25/20, batch 64) on
Los-loop, one thread, each configuration in a fresh process, the configurations alternated
``--repeats`` times (median [min, max]): the engine's default (recomputation decided from the memory
estimate, printed), engine with and without per-step recomputation, fp32 and
bf16 autocast, and a plain PyTorch loop (same module, Adam, clip 5) for the engine's overhead.
First, the one-thread rate of the model's dominant products (measured) over its FLOP count
(:func:`step_gflop`) gives the ceiling any implementation of this model could reach here.

Throughput is given per wall second and per process-CPU second (the machine is shared: CPU time
is what one unshared core would take). Peak RSS is the process high-water mark.

ceiling: that product ceiling, and for bf16 a profiled step split by op class with the non-GEMM
time of its best fused case (``bench/_traffic_ceiling.py``) added to the products at their best rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _traffic_ceiling import gemm_ceiling, nongemm_ceiling  # noqa: E402
from _traffic_config import (  # noqa: E402
    ACCURACY_ARGS,
    DATASETS,
    PEERS,
    recipe_args,
    train_config,
)
from _traffic_speed import (  # noqa: E402
    SPEED_CONFIGS,
    parse_config,
    profile_step,
    run_speed,
    speed_worker,
)

PAPER = "ST-SSDL METR-LA H12 MAE 3.37 (MegaCRN 3.48) -- from the paper (Table 2), not measured here"


# ----------------------------------------------------------------------------------------- accuracy
def run_accuracy(name: str, seed: int, epochs: int, workdir: Path) -> dict[str, Any]:
    from ssl_plugin_traffic.evaluate import baseline_predictions, model_report, predict

    from ssl_core.config import apply_overrides
    from ssl_core.engine import train

    config = train_config(recipe_args(name, ACCURACY_ARGS), epochs=epochs, steps=None, seed=seed)
    out: dict[str, Any] = {}
    for label, overrides in (("ST-SSDL", []), ("no-SSL", ["recipe_args.ssl=false"])):
        cfg = apply_overrides(config, overrides)
        t0 = time.perf_counter()
        result = train(cfg, workdir / f"{name}-{seed}-{label}", force=True)
        wall = time.perf_counter() - t0
        data = result.recipe.data
        report = model_report(predict(result.module, data.tensors("test")), data)
        samples = result.step * cfg.train.batch_size
        out[label] = {**report, "s/epoch": wall / epochs, "samples/s": samples / wall}
    if seed == 0:
        for label, pred in baseline_predictions(data, "test").items():
            out[label] = model_report(pred, data)
    return out


def accuracy_table(results: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    import numpy as np

    keys = ("mae@avg", "rmse@avg", "mape@avg", "mae@1", "mae@4", "mae@12", "mae@low", "mae@mid", "mae@high")
    rows = []
    for name, runs in results.items():
        for model in ("ST-SSDL", "no-SSL", "history_average", "last_value"):
            values = [r[model] for r in runs if model in r]
            if not values:
                continue
            row: dict[str, Any] = {"data": name, "model": model, "seeds": len(values)}
            for key in (k for k in keys if k in values[0]):
                v = np.array([x[key] for x in values])
                row[key] = f"{v.mean():.3f} +- {v.std():.3f}" if len(v) > 1 else f"{v.mean():.3f}"
            if "s/epoch" in values[0]:
                row["s/epoch"] = float(np.mean([x["s/epoch"] for x in values]))
            rows.append(row)
    return rows


RECOMPUTE = {"on": True, "off": False, "auto": None}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("accuracy", "speed", "profile", "ceiling", "all"), default="all")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument(
        "--steps",
        type=int,
        default=3,
        help="timed steps per speed configuration (>= 3: the "
        "official milestones at 70%% and 90%% of the run must differ)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each speed configuration")
    parser.add_argument("--merge", nargs="+", help="print the accuracy table from RESULT lines of logs")
    parser.add_argument("--worker", choices=("engine", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--recompute", choices=("on", "off", "auto"), default="off",
                        help="per-step recomputation (auto: the recipe default, from the memory estimate)")  # fmt: skip
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16"), help="(profile)")
    parser.add_argument("--baseline", help="(speed) a checkout of the code to compare with, run alternately")
    parser.add_argument("--fuse-cells", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--configs",
        nargs="+",
        help="(speed) e.g. engine:off:bf16 or engine:off:bf16:fused (mode:recompute:precision[:fused])",
    )
    opts = parser.parse_args()
    if opts.merge:
        from ssl_core.utils.bench import markdown_table, print_table

        merged: dict[str, list[dict[str, Any]]] = {}
        for log in opts.merge:
            for line in Path(log).read_text().splitlines():
                if line.startswith("RESULT "):
                    item = json.loads(line[7:])
                    merged.setdefault(item["data"], []).append(item["run"])
        rows = accuracy_table(merged)
        print_table(rows, "accuracy (merged)")
        print(markdown_table(rows))
        return
    if opts.part == "profile":
        profile_step(opts.precision, RECOMPUTE[opts.recompute])
        return
    if opts.worker:
        row = speed_worker(
            opts.worker, opts.steps, RECOMPUTE[opts.recompute], opts.precision, opts.fuse_cells
        )
        print(json.dumps(row))
        return
    import torch

    from ssl_core.utils.bench import markdown_table, print_table

    torch.set_num_threads(1)
    print(
        f"machine: 2-core CPU, torch {torch.__version__}, 1 thread; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    if opts.part in ("accuracy", "all"):
        results: dict[str, list[dict[str, Any]]] = {}
        with tempfile.TemporaryDirectory() as tmp:
            for name in opts.datasets:
                for seed in opts.seeds:
                    run = run_accuracy(name, seed, opts.epochs, Path(tmp))
                    results.setdefault(name, []).append(run)
                    print("RESULT " + json.dumps({"data": name, "seed": seed, "run": run}), flush=True)
        rows = accuracy_table(results)
        print_table(rows, f"accuracy (test, 12 in / 12 out, {opts.epochs} epochs, model {ACCURACY_ARGS})")
        print(markdown_table(rows))
    if opts.part in ("speed", "ceiling", "all"):
        ceiling = gemm_ceiling()
        print_table(ceiling, "one-thread product rates and the throughput they allow at the official size")
        print(markdown_table(ceiling))
    if opts.part in ("ceiling", "all"):
        rows = [row for precision in ("bf16", "fp32") for row in nongemm_ceiling(precision)]
        print_table(
            rows,
            "bf16 step by op class (profiled self CPU s); ceiling = products at best rate + fused non-GEMM",
        )
        print(markdown_table(rows))
        print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if opts.part in ("speed", "all"):
        configs = SPEED_CONFIGS
        if opts.configs:
            configs = tuple(parse_config(c) for c in opts.configs)
        rows = run_speed(opts.steps, opts.repeats, configs, opts.baseline)
        print_table(rows, f"speed/memory, official size on Los-loop (official code: {PEERS} per peers.md)")
        print(markdown_table(rows))
    print(PAPER)


if __name__ == "__main__":
    main()
