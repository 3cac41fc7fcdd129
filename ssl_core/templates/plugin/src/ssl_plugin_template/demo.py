"""The embedded default (``ssl demo``): pretrain ``template/default``, then probe versus random init."""

from __future__ import annotations

from pathlib import Path

from ssl_core.cli.domain import probe_rows
from ssl_core.config import load_run_config
from ssl_core.engine import train
from ssl_core.evaluation import ComparisonRow, DemoResult, generic_report
from ssl_plugin_template.plugin import ssl_default_config


def demo(run_dir: Path, *, quick: bool = False) -> DemoResult:
    """Train the default config (5 steps when ``quick``) in ``run_dir`` and compare linear probes."""
    overrides = ["train.progress=false", "train.device=cpu"]
    overrides += ["train.steps=5", "train.batch_size=32", "recipe_args.n_samples=256"] if quick else []
    config = load_run_config(ssl_default_config("template") or {}, overrides)
    result = train(config, run_dir, force=True)
    seeds = (0,) if quick else (0, 1, 2)
    report = probe_rows(generic_report(result.module, result.recipe, seeds=seeds), task="cluster id")
    rows: list[ComparisonRow] = report.get("rows", [])
    return DemoResult(domain="template", rows=rows, run_dir=result.run_dir)
