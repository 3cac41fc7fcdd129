"""Data sets, model sizes, reference figures and engine pretraining shared by ``bench/tabular_tjepa.py``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from statistics import harmonic_mean
from typing import Any

from _tabular_compare import LAUNCH, LR
from _tabular_compare import MODELS as COMPARE_MODELS
from ssl_plugin_tabular.config import PAPER_TOKEN_STD
from ssl_plugin_tabular.recipes import RECIPE, paper_config, tjepa_recipe

from ssl_core.config import load_run_config
from ssl_core.engine import train

PAPER = {  # Thimonier et al. 2025, main table: MLP, MLP + T-JEPA, best GBDT
    "adult": {"metric": "acc", "mlp": 0.825, "tjepa": 0.866, "gbdt": "XGBoost 0.874"},
    "california": {"metric": "rmse", "mlp": 0.518, "tjepa": 0.468, "gbdt": "CatBoost 0.430"},
}
OFFICIAL = {  # peers.md 2026-12-04, side by side, idle core, batch 512: official launch defaults / FFN 64
    "adult": {
        "official": {"steps_per_s": 0.421, "peak_gib": 8.81},
        "pred-ffn64": {"steps_per_s": 0.633, "peak_gib": 3.59},
    },
}  # fmt: skip  (California: only a figure taken on a shared core, which peers.md says not to divide by)
SMALL_MODEL: dict[str, Any] = {
    "dim": 32,
    "depth": 4,
    "ffn_dim": 64,
    "pred_depth": 4,
}  # the embedded default's size
#: "official": the official launch configuration exactly (predictor FFN 256, ReLU, post-norm, dropouts);
#: "pred-ffn64": the same with the predictor FFN 64 (= the official code with --pred_dim_feedforward 64);
#: "bench64": the model the bench used before 2026-12-04 (TJEPAArgs defaults: FFN 64, GELU, pre-norm, no dropout).
MODELS = {"official": LAUNCH, "pred-ffn64": COMPARE_MODELS["pred-ffn64"], "bench64": {}, "small": SMALL_MODEL}
FOLDERS = {"adult": "adult", "california": "california_housing/rtdl_split"}


def data_path(root: Path, name: str) -> str:
    """The folder of dataset ``name`` under ``$SSL_DATA_DIR/tabular``."""
    path = root / FOLDERS[name]
    if not path.is_dir():
        raise SystemExit(f"missing {path}: set --data-dir or SSL_DATA_DIR")
    return str(path)


def pretrain(
    data: str,
    *,
    seed: int,
    epochs: float,
    device: str,
    run_dir: Path,
    n_cls: int = 1,
    model: dict[str, Any] | None = None,
    precision: str = "fp32",
    compile_step: bool = False,
    fixed_steps: int | None = None,
) -> tuple[Any, dict[str, float]]:
    """Pretrain through the engine; returns the result and timing (wall s, steps/s from the engine's log)."""
    # T-JEPA's token initialisation in every bench model (the plugin's default became 1.0 after these
    # figures; docs/benchmarks.md "Token initialisation")
    args = {
        "data": data,
        "token_std": PAPER_TOKEN_STD,
        **(model if model is not None else LAUNCH),
        "n_cls": n_cls,
    }
    recipe = tjepa_recipe(**args)
    steps_per_epoch = len(recipe.train_data) // 512  # type: ignore[arg-type]
    steps = max(1, int(epochs * steps_per_epoch)) if fixed_steps is None else fixed_steps
    cfg = paper_config(steps=steps, warmup_steps=max(1, steps // 30))
    cfg["optim"]["lr"] = LR  # the launch script's exact value
    cfg["train"].update(seed=seed, device=device, precision=precision, compile=compile_step, progress=False,
                        log_every=max(1, min(50, steps // 4)), monitor_every=0, ckpt_every=steps)  # fmt: skip
    config = load_run_config({"recipe": RECIPE, "recipe_args": args, **cfg})
    t0 = time.perf_counter()
    result = train(config, run_dir, recipe=recipe, force=True)
    wall = time.perf_counter() - t0
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    rates = [r["samples_per_s"] for r in rows if "samples_per_s" in r]
    every = cfg["train"]["log_every"]
    # steady state: the first logged interval (warm-up, compilation) is left out; steps / time = harmonic mean
    steady = harmonic_mean(rates[1:]) / 512 if len(rates) > 1 else 0.0
    first_s = every * 512 / rates[0] if rates else 0.0
    return result, {"wall_s": wall, "steps": steps, "steps_per_s": steady, "first_s": first_s}
