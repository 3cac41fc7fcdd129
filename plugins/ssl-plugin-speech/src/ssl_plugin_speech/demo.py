"""The embedded default (``ssl demo``): TERA + VC on the embedded VCTK subset, then the evaluation table."""

from __future__ import annotations

from pathlib import Path

from ssl_core.config import load_run_config
from ssl_core.engine import train
from ssl_core.evaluation import DemoResult
from ssl_plugin_speech.recipe_args import default_config

QUICK = [
    "train.steps=3",
    "train.batch_size=4",
    "recipe_args.dim=32",
    "recipe_args.ffn=64",
    "recipe_args.layers=1",
    "recipe_args.acoustic_hidden=32",
    "recipe_args.content_hidden=32",
]


def demo(run_dir: Path, *, quick: bool = False) -> DemoResult:
    """Train the default config (a few tiny steps when ``quick``) in ``run_dir`` and evaluate it."""
    overrides = ["train.progress=false", "train.device=cpu", *(QUICK if quick else [])]
    config = load_run_config(default_config(), overrides)
    result = train(config, run_dir, force=True)
    report = result.recipe.evaluate(result.module, result.recipe)  # type: ignore[misc]
    return DemoResult(domain="speech", rows=report["rows"], run_dir=result.run_dir)
