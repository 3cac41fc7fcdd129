"""The embedded default (``ssl demo``): T-JEPA on the embedded Adult copy, then the downstream comparison."""

from __future__ import annotations

from pathlib import Path

from ssl_core.config import load_run_config
from ssl_core.engine import train
from ssl_core.evaluation import DemoResult
from ssl_plugin_tabular.plugin import DOMAIN
from ssl_plugin_tabular.recipe_args import default_config

QUICK_OVERRIDES = [
    "train.steps=3", "train.batch_size=64", "train.ckpt_every=3", "train.monitor_every=3",
    "recipe_args.eval_seeds=1", "recipe_args.probe_epochs=5", "recipe_args.eval_max_train=512",
    "recipe_args.depth=1", "recipe_args.pred_depth=1", "recipe_args.dim=8", "recipe_args.ffn_dim=8",
]  # fmt: skip


def demo(run_dir: Path, *, quick: bool = False) -> DemoResult:
    """Pretrain the default config in ``run_dir`` (a few tiny steps when ``quick``) and evaluate it."""
    overrides = ["train.progress=false", "train.device=cpu", *(QUICK_OVERRIDES if quick else [])]
    config = load_run_config(default_config(), overrides)
    result = train(config, run_dir, force=True)
    assert result.recipe.evaluate is not None
    report = result.recipe.evaluate(result.module, result.recipe)
    return DemoResult(domain=DOMAIN, rows=report["rows"], run_dir=result.run_dir)
