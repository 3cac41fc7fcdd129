"""``ssl-battery evaluate RUN``: GenEV fine-tuned vs the same BiLSTM fine-tuned from scratch vs gradient
boosting on incremental-capacity features (Arunan et al., IEEE TII 2025, with 10% of the labels).

Per seed the same labelled curves and test snippets serve all three; rows are paired t-intervals over
the seeds (RMSE and MAPE of SOH on the held-out cells).
"""

from __future__ import annotations

from ssl_core.errors import ConfigError
from ssl_core.evaluation import ComparisonRow
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import BatteryData
from ssl_plugin_battery.finetune import errors, finetune_predict, ic_baseline, labelled_split
from ssl_plugin_battery.method import GenEV

QUICK_STEPS = 5


def evaluate(module: SSLModule, data: BatteryData, ctx: EvalContext) -> list[ComparisonRow]:
    """The run's comparison rows (see the module docstring); ``--quick``: 2 seeds, 5 fine-tuning steps."""
    args = GenEVArgs(**ctx.config.recipe_args)
    if not data.test_cells:
        raise ConfigError(ctx.run_dir / "config.yaml", "recipe_args.test_cells",
                          "the run has a single cell: nothing to hold out for testing")  # fmt: skip
    steps = min(args.ft_steps, QUICK_STEPS) if ctx.quick else args.ft_steps
    seeds = range(ctx.seeds or (2 if ctx.quick else args.eval_seeds))
    try:
        splits = [labelled_split(data, args.label_fraction, args.windows_per_curve, s) for s in seeds]
    except ValueError as exc:
        raise ConfigError(ctx.run_dir / "config.yaml", "recipe_args.labels", str(exc)) from None
    assert isinstance(module, GenEV)
    scores: dict[str, list[dict[str, float]]] = {"ssl": [], "scratch": [], "ic": []}
    for seed, split in zip(ctx.timed(seeds), splits, strict=True):  # prints the ETA when long
        scratch = ctx.random_init(1000 + seed)
        assert isinstance(scratch, GenEV)
        fit = dict(steps=steps, lr=args.ft_lr, seed=seed)
        scores["ssl"].append(errors(finetune_predict(module.regression_model(), split, **fit), split))  # type: ignore[arg-type]
        scores["scratch"].append(errors(finetune_predict(scratch.regression_model(), split, **fit), split))  # type: ignore[arg-type]
        scores["ic"].append(errors(ic_baseline(split, seed), split))
    extra = {"seeds": len(splits), "labelled_curves": splits[0].n_curves, "test_cells": ", ".join(data.test_cells),
             "n_test": len(splits[0].test_x)}  # fmt: skip
    rows = []
    for key, name in (("scratch", "same BiLSTM without SSL"), ("ic", "gradient boosting on dQ/dV features")):
        for metric in ("rmse", "mape"):
            rows.append(ComparisonRow.from_seeds(f"{data.name} SOH", metric, [s[metric] for s in scores["ssl"]],
                                                 [s[metric] for s in scores[key]], higher_is_better=False,
                                                 extra={"baseline": name, **extra}))  # fmt: skip
    return rows
