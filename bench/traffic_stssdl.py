"""ST-SSDL evidence on real data (SZ-taxi, Los-loop): accuracy over seeds, speed and memory.

Usage::

    SSL_DATA_DIR=/work/shared/data python bench/traffic_stssdl.py            # everything (~15 min idle CPU)
    python bench/traffic_stssdl.py --part accuracy --seeds 0 1 2 --epochs 4
    python bench/traffic_stssdl.py --part speed --steps 1 --repeats 3
    python bench/traffic_stssdl.py --part profile [--precision bf16] [--recompute]

accuracy: ST-SSDL vs the no-SSL ablation (no history branch, lambda_c = lambda_d = 0), the
history-average and last-value baselines; 12 steps in / 12 out, 70/10/20 chronological splits;
a REDUCED model (see ACCURACY_ARGS) for a few epochs so 3 seeds fit the CPU budget. Reports
MAE/RMSE/MAPE averaged and at steps 3/6/12, and MAE by input-deviation tercile.

speed: the OFFICIAL size (rnn_units 128, 20x64 prototypes, d_in/node/tod 3/25/20, batch 64) on
Los-loop, one thread, each configuration in a fresh process, the configurations alternated
``--repeats`` times (median [min, max]): engine with and without per-step recomputation, fp32 and
bf16 autocast, and a plain PyTorch loop (same module, Adam, clip 5) for the engine's overhead.
First, the one-thread rate of the model's dominant products (measured) over its FLOP count
(:func:`step_gflop`) gives the ceiling any implementation of this model could reach here.
Throughput is given per wall second and per process-CPU second (the machine is shared: CPU time
is what one unshared core would take). Peak RSS is the process high-water mark.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DATASETS = {  # series, graph, lambda_c, lambda_d, output steps
    "SZ-taxi": ("sz_taxi/SZ_taxi.npz", "sz_taxi/sz_adj.csv", 0.01, 1.0, 4),
    "Los-loop": ("los_loop/los_speed.csv", "los_loop/los_adj.csv", 0.01, 1.0, 12),
}
ACCURACY_ARGS = {
    "rnn_units": 16,
    "prototype_num": 8,
    "prototype_dim": 16,
    "d_in": 3,
    "d_node": 8,
    "d_tod": 8,
    "recompute": False,
}
OFFICIAL_ARGS = {
    "rnn_units": 128,
    "prototype_num": 20,
    "prototype_dim": 64,
    "d_in": 3,
    "d_node": 25,
    "d_tod": 20,
}
PEERS = {"train samples/s": 2.6, "peak RSS MB": 9.9 * 1024, "s/epoch": 530}  # peers.md, Los-loop, 1 thread
PAPER = "ST-SSDL METR-LA H12 MAE 3.37 (MegaCRN 3.48) -- from the paper (Table 2), not measured here"


def data_root() -> Path:
    root = os.environ.get("SSL_DATA_DIR")
    if not root:
        sys.exit("set SSL_DATA_DIR (e.g. /work/shared/data)")
    return Path(root) / "traffic"


def recipe_args(name: str, extra: dict[str, Any]) -> dict[str, Any]:
    series, graph, lc, ld, out_len = DATASETS[name]
    root = data_root()
    return {
        "data": str(root / series),
        "graph": str(root / graph),
        "lambda_c": lc,
        "lambda_d": ld,
        "out_len": out_len,
        **extra,
    }


def train_config(args: dict[str, Any], *, epochs: int | None, steps: int | None, seed: int) -> Any:
    """The plugin's run config (official optimiser); ``epochs`` counts the training windows of the data."""
    from ssl_plugin_traffic.config import STSSDLArgs, run_config
    from ssl_plugin_traffic.data import build_data

    from ssl_core.config import load_run_config

    if steps is None:
        per_epoch = max(1, len(build_data(STSSDLArgs(**args)).starts["train"]) // 64)
        steps = (epochs or 1) * per_epoch
    cfg = run_config(args, steps=steps, seed=seed)
    cfg["train"].update({"progress": False, "log_every": 1, "ckpt_every": 10**9})
    return load_run_config(cfg)


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


# -------------------------------------------------------------------------------------------- speed
def speed_worker(mode: str, steps: int, recompute: bool, precision: str = "fp32") -> dict[str, Any]:
    """One configuration in this (fresh) process: time ``steps`` timed steps after one warm-up."""
    import torch

    torch.set_num_threads(1)
    from ssl_core.engine import train
    from ssl_core.plugins import get_registries

    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": recompute}),
        epochs=None,
        steps=steps + 1,
        seed=0,
    )
    config.train.precision = precision  # type: ignore[assignment]
    if mode == "engine":
        with tempfile.TemporaryDirectory() as tmp:
            recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
            t0, c0 = time.perf_counter(), time.process_time()
            train(config, Path(tmp) / "run", recipe=recipe)
            wall, cpu = time.perf_counter() - t0, time.process_time() - c0
            rows = [
                json.loads(line) for line in (Path(tmp) / "run" / "metrics.jsonl").read_text().splitlines()
            ]
        step_ms = [r["compute_ms"] for r in rows if "compute_ms" in r][1:]
        per_step = sum(step_ms) / len(step_ms) / 1000 if step_ms else wall / (steps + 1)
    else:
        recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
        module, data = recipe.module, recipe.train_data
        opt = torch.optim.Adam(module.parameters(), lr=0.01, eps=1e-3)
        gen = torch.Generator().manual_seed(0)
        times, t0, c0 = [], time.perf_counter(), time.process_time()
        for step in range(steps + 1):
            s = time.perf_counter()
            batch = data.__getitems__(list(range(step * 64, step * 64 + 64)))  # type: ignore[attr-defined]
            loss = module(batch, gen).loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
            opt.step()
            times.append(time.perf_counter() - s)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        per_step = sum(times[1:]) / steps
    params = sum(p.numel() for p in recipe.module.parameters())
    return {
        "mode": mode,
        "recompute": recompute,
        "precision": precision,
        "params": params,
        "s/step (wall)": per_step,
        "samples/s (wall)": 64 / per_step,
        "samples/s (cpu)": 64 * (steps + 1) / cpu,
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


SPEED_CONFIGS = (  # mode, recompute, precision
    ("engine", True, "fp32"),
    ("plain", True, "fp32"),
    ("engine", False, "fp32"),
    ("engine", True, "bf16"),
    ("engine", False, "bf16"),
)


def run_speed(steps: int, repeats: int) -> list[dict[str, Any]]:
    """Each configuration ``repeats`` times, alternating, each in a fresh process: median [min, max]."""
    import numpy as np

    runs: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for mode, recompute, precision in SPEED_CONFIGS:
            cmd = [
                sys.executable,
                __file__,
                "--worker",
                mode,
                "--steps",
                str(steps),
                "--precision",
                precision,
            ]
            cmd += ["--recompute"] if recompute else []
            env = {**os.environ, "OMP_NUM_THREADS": "1"}
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise RuntimeError(proc.stderr[-2000:])
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            print("SPEED " + json.dumps(row), flush=True)
            runs.setdefault((mode, recompute, precision), []).append(row)
    rows = []
    for (mode, recompute, precision), found in runs.items():
        row: dict[str, Any] = {
            "mode": mode,
            "recompute": recompute,
            "precision": precision,
            "runs": len(found),
        }
        row["params"] = found[0]["params"]
        for key in ("s/step (wall)", "samples/s (wall)", "samples/s (cpu)", "peak RSS MB"):
            v = np.array([r[key] for r in found])
            row[key] = f"{np.median(v):.2f} [{v.min():.2f}, {v.max():.2f}]"
        cpu = float(np.median([r["samples/s (cpu)"] for r in found]))
        row["x official samples/s (cpu)"] = cpu / PEERS["train samples/s"]
        row["RSS / official"] = float(np.median([r["peak RSS MB"] for r in found])) / PEERS["peak RSS MB"]
        rows.append(row)
    return rows


def step_gflop(n: int = 207, b: int = 64, t: int = 12, h: int = 128, d: int = 64, k: int = 3) -> float:
    """Forward GFLOP of one ST-SSDL batch at the official size (GEMMs and dense propagations only).

    Encoder: current + anchor windows (2B), gate and update weights ``H x k*3H`` per node and step.
    Decoder: width ``H + d``; Clenshaw propagation over the per-sample graph (``2 (k-1)`` products of
    ``N x N`` with the gate's ``2 H_d`` and the update's ``H_d`` columns). The factored input adds none.
    """
    hd = h + d
    encoder = 2 * (2 * b * n) * h * (k * 3 * h) * t
    decoder = (2 * b * n * hd * (k * 3 * hd) + 2 * (k - 1) * b * n * n * 3 * hd) * t
    return (encoder + decoder) / 1e9


def gemm_ceiling() -> list[dict[str, Any]]:
    """Measured one-thread rate of the model's dominant products, fp32 and bf16: the throughput ceiling."""
    import torch

    torch.set_num_threads(1)
    shapes = ((2 * 64 * 207, 128, 384 * 2), (64 * 207, 192, 576 * 2))  # encoder gate, decoder gate
    rows = []
    for precision, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        rates = []
        for m, kk, nn in shapes:
            a, w = torch.randn(m, kk, dtype=dtype), torch.randn(kk, nn, dtype=dtype)
            a @ w
            t0 = time.process_time()
            for _ in range(5):
                a @ w
            rates.append(5 * 2 * m * kk * nn / (time.process_time() - t0) / 1e9)
        g = torch.softmax(torch.randn(64, 207, 207), -1).to(dtype)
        x = torch.randn(64, 207, 384, dtype=dtype)
        torch.bmm(g, x)
        t0 = time.process_time()
        for _ in range(5):
            torch.bmm(g, x)
        rates.append(5 * 2 * 64 * 207 * 207 * 384 / (time.process_time() - t0) / 1e9)
        best = max(rates)
        train = 3 * step_gflop()  # forward + backward (2x), no recomputation
        rows.append(
            {
                "precision": precision,
                "GFLOP/s enc gate, dec gate, graph bmm": ", ".join(f"{r:.0f}" for r in rates),
                "train GFLOP/step": round(train),
                "ceiling samples/s (cpu)": 64 / (train / best),
                "ceiling x official": 64 / (train / best) / PEERS["train samples/s"],
            }
        )
    return rows


def profile_step(precision: str, recompute: bool) -> None:
    """``torch.profiler`` table of one forward + backward at the official size (after a warm-up step)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from ssl_core.plugins import get_registries

    torch.set_num_threads(1)
    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": recompute}), epochs=None, steps=1, seed=0
    )
    recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
    module, batch = recipe.module, recipe.train_data.__getitems__(list(range(64)))  # type: ignore[attr-defined]
    gen = torch.Generator().manual_seed(0)

    def step(label: str) -> None:
        t0 = time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = module(batch, gen).loss
        loss.backward()
        print(f"{label} step: {time.process_time() - t0:.2f} s CPU", flush=True)

    step("warm-up")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step("profiled")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--part", choices=("accuracy", "speed", "profile", "all"), default="all")
    parser.add_argument("--datasets", nargs="+", default=list(DATASETS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--steps", type=int, default=2, help="timed steps per speed configuration")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs of each speed configuration")
    parser.add_argument("--merge", nargs="+", help="print the accuracy table from RESULT lines of logs")
    parser.add_argument("--worker", choices=("engine", "plain"), help=argparse.SUPPRESS)
    parser.add_argument("--recompute", action="store_true", help="per-step recomputation (profile)")
    parser.add_argument("--precision", default="fp32", choices=("fp32", "bf16"), help="(profile)")
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
        profile_step(opts.precision, opts.recompute)
        return
    if opts.worker:
        print(json.dumps(speed_worker(opts.worker, opts.steps, opts.recompute, opts.precision)))
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
    if opts.part in ("speed", "all"):
        ceiling = gemm_ceiling()
        print_table(ceiling, "one-thread product rates and the throughput they allow at the official size")
        print(markdown_table(ceiling))
        rows = run_speed(opts.steps, opts.repeats)
        print_table(rows, f"speed/memory, official size on Los-loop (official code: {PEERS} per peers.md)")
        print(markdown_table(rows))
    print(PAPER)


if __name__ == "__main__":
    main()
