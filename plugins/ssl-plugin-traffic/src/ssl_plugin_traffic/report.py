"""The traffic plugin's ``report.html`` figures (``DomainSpec.report_figures``).

One figure: the trained ST-SSDL forecast against the ground truth of the held-out (test) period for
the first sensors, at horizon step 1 and at the last horizon step (Gao et al., NeurIPS 2025, report
per-horizon errors; this shows what those numbers look like on the series). It reads only the run
directory: the restored data (``data.pt``) and the checkpoint already loaded by the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.report import ReportFigure, line_chart

from .data import TrafficData
from .evaluate import predict

__all__ = ["MAX_WINDOWS", "forecast_figure", "report_figures"]

MAX_WINDOWS = 288
"""Test windows drawn (the first ones: a day of 5-minute readings); the forecast is cheap on CPU."""
SENSORS = 2
"""Sensors drawn, one chart each (the first ones in the file's order)."""


def forecast_figure(module: Any, data: TrafficData, sensor: int, windows: int = MAX_WINDOWS) -> ReportFigure:
    """Truth vs forecast at horizon 1 and the last horizon for one sensor over the first test windows."""
    import torch

    starts = data.starts["test"][:windows]
    tensors = {k: v[: len(starts)] for k, v in data.tensors("test").items()}
    with torch.no_grad():
        pred = predict(module, tensors).numpy()  # (S, H, N) original units
    horizon = pred.shape[1]
    series: dict[str, tuple[Sequence[float], Sequence[float]]] = {}
    first = starts + data.in_len  # target index of horizon step 1
    last = first + horizon - 1
    span = np.arange(first.min(), last.max() + 1)
    truth = data.values[span, sensor].astype(np.float64)
    truth[truth <= 1e-3] = np.nan  # missing readings (0) are gaps, not drops to zero
    origin = float(first.min())
    hours = (span - origin) * data.interval_minutes / 60.0
    series["truth"] = (hours.tolist(), truth.tolist())
    for step, idx in ((1, first), (horizon, last)):
        x = (idx - origin) * data.interval_minutes / 60.0
        series[f"forecast h={step}"] = (x.tolist(), pred[:, step - 1, sensor].astype(np.float64).tolist())
    name = data.sensor_ids[sensor]
    svg = line_chart("", series, xlabel="hours into the test period")
    caption = (
        f"Sensor {name}: readings of the held-out test period (truth; missing readings left as gaps) "
        f"and the trained model's forecasts made {data.interval_minutes} min (h=1) and "
        f"{horizon * data.interval_minutes} min (h={horizon}) ahead, each drawn at the time it "
        f"forecasts, over the first {len(starts)} test windows."
    )
    return ReportFigure(f"Forecast vs truth, sensor {name}", svg=svg, caption=caption)


def report_figures(run_dir: Path, run: Any) -> list[ReportFigure]:
    """Forecast-vs-truth charts of the first :data:`SENSORS` sensors (ST-SSDL runs; none for others)."""
    data = run.recipe.data
    if not isinstance(data, TrafficData) or not hasattr(run.module, "predict"):
        return []
    if len(data.starts.get("test", ())) == 0:
        return []
    run.module.eval()
    return [forecast_figure(run.module, data, s) for s in range(min(SENSORS, len(data.sensor_ids)))]
