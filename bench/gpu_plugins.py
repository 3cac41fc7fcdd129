"""Each plugin's pretraining on a GPU at its bench size: samples/s and peak memory, fp32 vs bf16.

What is timed: ``ssl_core.engine.train()`` on the plugin's own recipe (built from its factory, on
its real bench data), ``--steps`` optimizer steps after ``--warm`` warm-up steps, logged every
step; samples/s is the harmonic mean of the logged per-step rates after the warm-up (the engine's
``samples_per_s``, data wait included), peak memory is ``torch.cuda.max_memory_allocated`` over
the whole run. Sizes (the CPU benches' "official" sizes, see ``docs/benchmarks.md``):

* tabular: T-JEPA bench64 (recipe defaults: the launch sizes with predictor FFN 64, GELU, pre-norm, no dropout; not the official launch configuration) on Adult, batch 512 (``bench/tabular_tjepa.py``);
* traffic: ST-SSDL at the official size on Los-loop, batch 64 (``bench/traffic_stssdl.py``);
* speech: TERA at the paper's size (3 x 768, 12 heads, FFN 3072) on the VCTK subset, batch 32.

    SSL_DATA_DIR=/work/shared/data python bench/gpu_plugins.py --json out.json
    python bench/gpu_plugins.py --smoke    # CPU plumbing check, tiny steps
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from statistics import harmonic_mean
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ssl_core.config import load_run_config  # noqa: E402
from ssl_core.engine import train  # noqa: E402
from ssl_core.interfaces import Recipe  # noqa: E402
from ssl_core.utils.bench import markdown_table, print_table  # noqa: E402


def _data(*parts: str) -> str:
    root = os.environ.get("SSL_DATA_DIR")
    if not root:
        raise SystemExit("set SSL_DATA_DIR (the folder holding tabular/, traffic/, speech/)")
    return str(Path(root, *parts))


def tabular() -> tuple[Recipe, dict[str, Any], int]:
    from ssl_plugin_tabular.recipes import paper_config, tjepa_recipe

    args = {"data": _data("tabular", "adult"), "n_cls": 1}
    cfg = paper_config(steps=1000, warmup_steps=10)
    return tjepa_recipe(**args), {**cfg, "recipe": "tabular/tjepa", "recipe_args": args}, 512


def traffic() -> tuple[Recipe, dict[str, Any], int]:
    from _traffic_config import OFFICIAL_ARGS, recipe_args  # the CPU bench's sizes (bench/traffic_stssdl.py)
    from ssl_plugin_traffic.config import run_config
    from ssl_plugin_traffic.recipes import STSSDL_RECIPE

    _data("traffic")
    args = recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": False})
    cfg = run_config(args, steps=1000)
    return STSSDL_RECIPE(**cfg["recipe_args"]), cfg, 64


def speech() -> tuple[Recipe, dict[str, Any], int]:
    from ssl_plugin_speech.recipes import TERA

    args = {"data": _data("speech", "vctk_autovc"), "dim": 768, "layers": 3, "heads": 12, "ffn": 3072}
    optim = {"name": "adamw", "lr": 2e-4, "weight_decay": 0.01}
    return TERA(**args), {"recipe": "speech/tera", "recipe_args": args, "optim": optim}, 32


PLUGINS: dict[str, Callable[[], tuple[Recipe, dict[str, Any], int]]] = {
    "tabular": tabular,
    "traffic": traffic,
    "speech": speech,
}


def measure(name: str, precision: str, device: str, steps: int, warm: int) -> dict[str, Any]:
    """One timed pretraining run of plugin ``name``; returns its row."""
    recipe, cfg, batch = PLUGINS[name]()
    cfg = dict(cfg)
    cfg.setdefault("train", {})
    cfg["train"] = {**cfg["train"], "steps": warm + steps, "epochs": None, "batch_size": batch}
    cfg["train"].update(device=device, precision=precision, progress=False, log_every=1)
    cfg["train"].update(monitor_every=10**9, ckpt_every=10**9, seed=0)
    config = load_run_config(cfg)
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        train(config, Path(tmp) / "run", recipe=recipe)
        wall = time.perf_counter() - t0
        text = (Path(tmp) / "run" / "metrics.jsonl").read_text()
    rates = [r["samples_per_s"] for r in map(json.loads, text.splitlines()) if "samples_per_s" in r]
    steady = rates[warm:] or rates
    peak = torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else float("nan")
    params = sum(p.numel() for p in recipe.module.parameters())
    return {
        "plugin": name,
        "precision": precision,
        "batch": batch,
        "params (M)": round(params / 1e6, 2),
        "samples/s": round(harmonic_mean(steady), 1) if steady else 0.0,
        "steps/s": round(harmonic_mean(steady) / batch, 2) if steady else 0.0,
        "peak GPU MiB": round(peak, 1),
        "wall s": round(wall, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plugins", default="tabular,traffic,speech")
    ap.add_argument("--precisions", default="fp32,bf16")
    ap.add_argument("--steps", type=int, default=40, help="timed steps per run")
    ap.add_argument("--warm", type=int, default=5, help="warm-up steps left out of the rate")
    ap.add_argument("--smoke", action="store_true", help="CPU, 2 steps (plumbing only)")
    ap.add_argument("--json", type=Path, default=None)
    a = ap.parse_args()
    device = "cpu" if a.smoke else "cuda"
    steps, warm = (2, 1) if a.smoke else (a.steps, a.warm)
    rows: list[dict[str, Any]] = []
    for name in a.plugins.split(","):
        for precision in a.precisions.split(","):
            try:
                rows.append(measure(name, precision, device, steps, warm))
            except Exception as exc:  # a failed plugin is reported, the others still run
                traceback.print_exc()
                rows.append({"plugin": name, "precision": precision, "error": repr(exc)[:200]})
            print(json.dumps(rows[-1]), flush=True)
            if a.json:
                a.json.write_text(json.dumps({"device": _device_name(device), "rows": rows}, indent=1))
    print_table(rows)
    print(markdown_table(rows))


def _device_name(device: str) -> str:
    return torch.cuda.get_device_name() if device.startswith("cuda") else "cpu"


if __name__ == "__main__":
    main()
