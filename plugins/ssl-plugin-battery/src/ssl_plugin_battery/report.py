"""The battery plugin's ``report.html`` figure (``DomainSpec.report_figures``): estimated vs true SOH.

The run's encoder is fine-tuned as ``evaluate`` / ``estimate`` do (GenEV protocol, Arunan et al., IEEE
TII 2025: a regression head on ``label_fraction`` of the training cells' labelled curves, seed 0), with
at most :data:`REPORT_FT_STEPS` steps so the report stays a few seconds on a CPU; each held-out curve's
estimate is the mean over its test snippets. Only the run directory is read (``data.pt``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.report import ReportFigure, line_chart
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import BatteryData
from ssl_plugin_battery.finetune import finetune_predict, labelled_split

__all__ = ["REPORT_FT_STEPS", "TITLE", "report_figures", "soh_figure"]

REPORT_FT_STEPS = 100
"""Fine-tuning steps of the report's estimate (``recipe_args.ft_steps`` when that is fewer)."""
TITLE = "Estimated vs true SOH on the held-out cells"


def soh_figure(module: Any, data: BatteryData, args: GenEVArgs, seed: int = 0) -> ReportFigure:
    """Per held-out curve: the fine-tuned estimate (mean over its snippets) and the measured SOH."""
    split = labelled_split(data, args.label_fraction, args.windows_per_curve, seed)
    steps = min(args.ft_steps, REPORT_FT_STEPS)
    pred = finetune_predict(module.regression_model(), split, steps=steps, lr=args.ft_lr, seed=seed)
    curves = np.unique(split.test_curve)
    estimate = np.array([pred[split.test_curve == k].mean() for k in curves])
    series: dict[str, tuple[Sequence[float], Sequence[float]]] = {}
    for cell in dict.fromkeys(data.cells[k] for k in curves):
        mine = np.array([data.cells[k] == cell for k in curves])
        order = np.argsort([data.cycles[k] for k in curves[mine]])
        cycles = np.array([data.cycles[k] for k in curves[mine]], dtype=np.float64)[order]
        series[f"{cell} estimated"] = (cycles.tolist(), estimate[mine][order].tolist())
        series[f"{cell} true"] = (cycles.tolist(), data.soh[curves[mine]][order].tolist())
    rmse = float(np.sqrt(np.mean((estimate - data.soh[curves]) ** 2)))
    caption = (
        f"SOH of the {len(curves)} labelled curves of the held-out cell(s) {', '.join(data.test_cells)} "
        f"against cycle number: measured (true) and estimated by the pretrained encoder fine-tuned for "
        f"{steps} steps on {split.n_curves} labelled training curves (seed {seed}; mean over each "
        f"curve's {args.windows_per_curve} test snippet(s)). Per-curve RMSE {rmse:.4f}; "
        "`evaluate` gives the multi-seed comparison."
    )
    return ReportFigure(TITLE, svg=line_chart("", series, xlabel="cycle"), caption=caption)


def report_figures(run_dir: Path, run: Any) -> list[ReportFigure]:
    """The SOH figure, or a one-line note when the run holds no labelled held-out curve."""
    data = run.recipe.data
    if not isinstance(data, BatteryData):
        return []
    if not data.test_cells:
        return [ReportFigure(TITLE, caption="not drawn: the run has a single cell, none is held out")]
    try:
        return [soh_figure(run.module, data, GenEVArgs(**run.config.recipe_args))]
    except ValueError as exc:  # too few labelled curves: the same message evaluate gives
        return [ReportFigure(TITLE, caption=f"not drawn: {exc}")]
