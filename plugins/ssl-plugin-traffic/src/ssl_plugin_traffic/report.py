"""``ssl-traffic evaluate``: ST-SSDL against its no-SSL ablation and two simple baselines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssl_core.evaluation import ComparisonRow, format_comparison
from ssl_core.utils import format_table

from .evaluate import BINS, baseline_predictions, model_report, predict
from .windows import TrafficData

__all__ = ["EvalReport", "compare", "evaluate_run", "HEADLINE"]

HEADLINE = ("mae@avg", "rmse@avg", "mape@avg", "mae@low", "mae@mid", "mae@high")


@dataclass
class EvalReport:
    """Per-model metric dicts, SSL-vs-ablation rows and the rendered text."""

    reports: dict[str, dict[str, Any]]
    rows: list[ComparisonRow] = field(default_factory=list)
    text: str = ""


def compare(reports: dict[str, dict[str, Any]], horizon: int) -> EvalReport:
    """Tables per horizon step and by deviation tercile, plus ``ST-SSDL`` vs ``no-SSL`` rows."""
    steps = [*range(1, horizon + 1), "avg"]
    by_step = [
        {
            "step": h,
            **{
                name: f"{r[f'mae@{h}']:.3f} / {r[f'rmse@{h}']:.3f} / {r[f'mape@{h}']:.2f}%"
                for name, r in reports.items()
            },
        }
        for h in steps
    ]
    by_dev = [{"input deviation": b, **{name: r[f"mae@{b}"] for name, r in reports.items()}} for b in BINS]
    rows = []
    if "no-SSL" in reports:
        rows = [
            ComparisonRow(
                "forecast (test)",
                key,
                (reports["ST-SSDL"][key], 0.0),
                (reports["no-SSL"][key], 0.0),
                False,
                {"baseline": "no-SSL ablation"},
            )
            for key in (*HEADLINE, f"mae@{horizon}")
        ]
    edges = next(iter(reports.values()))["deviation_edges"]
    text = "\n\n".join(
        filter(
            None,
            [
                format_table(by_step, "MAE / RMSE / MAPE per horizon step (test split)"),
                format_table(by_dev, f"MAE by |x - x_his| tercile (edges {edges[0]:.2f}, {edges[1]:.2f})"),
                format_comparison(rows)
                if rows
                else "(no ablation run found: pretrain without --no-ablation)",
            ],
        )
    )
    return EvalReport(reports, rows, text)


def evaluate_run(run_dir: Path, *, ablation_dir: Path | None = None, device: str = "cpu") -> EvalReport:
    """Load ``run_dir`` (and ``ablation_dir`` if it is a run) and compare on the test split."""
    from ssl_core.engine import load_run

    loaded = load_run(run_dir, device=device)
    data: TrafficData = loaded.recipe.extras["data"]
    tensors = data.tensors("test")
    reports = {"ST-SSDL": model_report(predict(loaded.module, tensors), data)}
    if ablation_dir is not None and (ablation_dir / "config.yaml").is_file():
        ablation = load_run(ablation_dir, device=device)
        reports["no-SSL"] = model_report(predict(ablation.module, tensors), data)
    for name, pred in baseline_predictions(data, "test").items():
        reports[name.replace("_", " ")] = model_report(pred, data)
    return compare(reports, data.out_len)
