"""``ssl demo`` entry: simulator pretrain of ST-SSDL and its ablation, then the comparison table."""

from __future__ import annotations

from pathlib import Path

from ssl_core.evaluation import DemoResult

from .plugin import DOMAIN, default_config_dict

__all__ = ["demo"]


def demo(run_dir: Path, *, quick: bool = False) -> DemoResult:
    """Train on the embedded simulator (``quick``: 2 steps on a tiny graph) and evaluate."""
    from ssl_core.config import apply_overrides, load_run_config
    from ssl_core.engine import train

    from .report import evaluate_run

    run_dir = Path(run_dir)
    config = load_run_config(default_config_dict())
    if quick:
        config = apply_overrides(
            config,
            [
                "train.epochs=null",
                "train.steps=2",
                "train.batch_size=8",
                "train.progress=false",
                "recipe_args.sim_nodes=8",
                "recipe_args.sim_days=15",
                "recipe_args.rnn_units=8",
                "recipe_args.prototype_num=4",
                "recipe_args.prototype_dim=4",
            ],
        )
    train(config, run_dir)
    train(apply_overrides(config, ["recipe_args.ssl=false"]), run_dir / "ablation")
    report = evaluate_run(run_dir, ablation_dir=run_dir / "ablation")
    return DemoResult(DOMAIN, report.rows, run_dir)
