"""Data sets, model sizes and run configs shared by ``bench/traffic_stssdl.py`` and its speed section."""

from __future__ import annotations

import os
import sys
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
#: peers.md 2026-12-04: the official code side by side with ours, Los-loop, batch 64, one thread, idle core
#: (4.15 samples/s in the rounds against our fp32 default, 4.01 in the others; 9.49 GiB peak RSS).
#: Ours in the same session: fp32 recompute 3.78, fp32 no recompute 5.34, bf16 no recompute 7.80.
PEERS = {"train samples/s": 4.15, "peak RSS MB": 9.49 * 1024}
#: peers.md's side-by-side ratios of ours (main at 4ea8805) to the official code, per (mode, recompute, precision).
PEERS_RATIO = {
    ("engine", True, "fp32"): 3.78 / 4.15,
    ("engine", True, "bf16"): 5.52 / 4.15,
    ("engine", False, "fp32"): 5.34 / 4.01,
    ("engine", False, "bf16"): 7.80 / 4.01,
}
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
