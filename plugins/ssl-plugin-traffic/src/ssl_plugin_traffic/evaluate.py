"""Forecast evaluation: MAE / RMSE / MAPE per horizon step and averaged, simple baselines, and the
breakdown by how far each input window deviates from its history average (ST-SSDL's claim: the
gain concentrates on high-deviation windows; Gao et al., NeurIPS 2025).

Metrics follow the official code's masking (labels <= 1e-3 ignored) but MAPE never divides by a
near-zero label. :func:`evaluate` (``ssl eval RUN``, ``ssl-traffic evaluate RUN``, ``ssl demo``)
compares the run with its no-SSL ablation run (``RUN/no-ssl``) and the history-average and
last-value forecasts on the test split. Deviation of a (window, sensor) pair is the mean ``|x - x_his|`` over its valid
input steps (original units); bins are the test set's terciles.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.evaluation import ComparisonRow, ratio_reduce, root_ratio_reduce
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext

from .data import TrafficData
from .objectives import masked_mae, masked_mape, masked_rmse, valid_mask

__all__ = [
    "predict",
    "horizon_metrics",
    "baseline_predictions",
    "input_deviation",
    "deviation_breakdown",
    "model_report",
    "window_items",
    "comparison_rows",
    "evaluate",
]

BINS = ("low", "mid", "high")


def predict(module: SSLModule, tensors: dict[str, Tensor], batch_size: int = 128) -> Tensor:
    """Original-scale forecasts ``(S, horizon, N)`` of a trained ST-SSDL module."""
    device = next(module.parameters()).device
    outputs = []
    for lo in range(0, len(tensors["x"]), batch_size):
        batch = {k: v[lo : lo + batch_size].to(device) for k, v in tensors.items()}
        outputs.append(module.predict(batch).cpu())  # type: ignore[operator]
    return torch.cat(outputs)


def horizon_metrics(pred: Tensor, target: Tensor) -> dict[str, float]:
    """``{"mae@h", "rmse@h", "mape@h"}`` for each horizon step ``h`` (1-based) and ``"...@avg"``."""
    out: dict[str, float] = {}
    for h in range(pred.shape[1]):
        p, t = pred[:, h], target[:, h]
        out[f"mae@{h + 1}"] = float(masked_mae(p, t))
        out[f"rmse@{h + 1}"] = float(masked_rmse(p, t))
        out[f"mape@{h + 1}"] = float(masked_mape(p, t)) * 100
    out["mae@avg"] = float(masked_mae(pred, target))
    out["rmse@avg"] = float(masked_rmse(pred, target))
    out["mape@avg"] = float(masked_mape(pred, target)) * 100
    return out


def _target_index(data: TrafficData, split: str) -> tuple[np.ndarray, np.ndarray]:
    starts = data.starts[split]
    idx_x = starts[:, None] + np.arange(data.in_len)[None, :]
    idx_y = starts[:, None] + data.in_len + np.arange(data.out_len)[None, :]
    return idx_x, idx_y


def baseline_predictions(data: TrafficData, split: str) -> dict[str, Tensor]:
    """History-average (anchor of each target slot) and last-valid-value forecasts ``(S, H, N)``."""
    idx_x, idx_y = _target_index(data, split)
    table = data.table
    history = table[data.slots[idx_y]]
    values = data.values[idx_x]  # (S, T, N)
    valid = values > 0
    last_pos = np.where(valid, np.arange(values.shape[1])[None, :, None], -1).max(axis=1)  # (S, N)
    last = np.take_along_axis(values, np.maximum(last_pos, 0)[:, None, :], axis=1)[:, 0]
    fallback = table[data.slots[idx_y[:, 0]]]
    last = np.where(last_pos >= 0, last, fallback)
    repeated = np.repeat(last[:, None, :], data.out_len, axis=1)
    return {"history_average": torch.from_numpy(history), "last_value": torch.from_numpy(repeated)}


def input_deviation(data: TrafficData, split: str) -> Tensor:
    """Mean ``|x - x_his|`` over valid input steps per (window, sensor) -> ``(S, N)``."""
    idx_x, _ = _target_index(data, split)
    values = data.values[idx_x]
    anchor = data.table[data.slots[idx_x]]
    valid = values > 0
    gap = np.where(valid, np.abs(values - anchor), 0.0).sum(1) / np.maximum(valid.sum(1), 1)
    return torch.from_numpy(gap.astype(np.float32))


def deviation_breakdown(pred: Tensor, target: Tensor, deviation: Tensor) -> dict[str, float]:
    """Masked MAE over all horizon steps within each deviation tercile (``"mae@low"`` ...)."""
    edges = torch.quantile(deviation.flatten(), torch.tensor([1 / 3, 2 / 3]))
    bins = torch.bucketize(deviation, edges)  # (S, N) in {0, 1, 2}
    mask = valid_mask(target)
    out = {}
    for i, name in enumerate(BINS):
        select = mask & (bins == i)[:, None, :]
        err = torch.where(select, (pred - target).abs(), torch.zeros_like(pred))
        out[f"mae@{name}"] = float(err.sum() / select.sum().clamp_min(1))
    out["deviation_edges"] = float(edges[0]), float(edges[1])  # type: ignore[assignment]
    return out


def model_report(pred: Tensor, data: TrafficData, split: str = "test") -> dict[str, Any]:
    """Horizon metrics plus the deviation breakdown of ``pred`` on ``split``."""
    target = torch.from_numpy(data.values[_target_index(data, split)[1]])
    report: dict[str, Any] = horizon_metrics(pred, target)
    report.update(deviation_breakdown(pred, target, input_deviation(data, split)))
    return report


METRICS = (("mae", "mae"), ("rmse", "rmse"), ("mape", "mape %"))


def reported_steps(horizon: int) -> list[int]:
    """The horizon steps the table shows: a quarter, half and all of it (3, 6, 12 for 12 steps, as
    traffic papers report); every step's metrics stay in :func:`model_report`."""
    return sorted({max(1, horizon // 4), max(1, horizon // 2), horizon})


def window_items(pred: Tensor, data: TrafficData, split: str = "test") -> dict[str, np.ndarray]:
    """Per-window ``(sum, count)`` over valid labels of every table metric, ``(S, 2)`` float64 each.

    Keys as :func:`model_report`: ``mae@avg``, ``rmse@avg`` (sums of squared errors), ``mape@avg``
    (percent), ``mae@h`` per horizon step and ``mae@low|mid|high`` per input-deviation tercile.
    The pooled ratio of a key's sums to its counts (its square root for ``rmse``) is the metric of
    :func:`model_report`, so windows can be resampled for a bootstrap interval.
    """
    target = torch.from_numpy(data.values[_target_index(data, split)[1]])
    mask = valid_mask(target)
    err = torch.where(mask, pred.double() - target.double(), torch.zeros((), dtype=torch.float64))
    safe = torch.where(mask, target.double(), torch.ones((), dtype=torch.float64))

    def pair(values: Tensor, select: Tensor, dims: tuple[int, ...] = (1, 2)) -> np.ndarray:
        return torch.stack([(values * select).sum(dims), select.sum(dims).double()], 1).numpy()

    out = {"mae@avg": pair(err.abs(), mask), "rmse@avg": pair(err.square(), mask),
           "mape@avg": pair((err / safe).abs() * 100, mask)}  # fmt: skip
    for h in range(pred.shape[1]):
        out[f"mae@{h + 1}"] = pair(err[:, h].abs(), mask[:, h], (1,))
    deviation = input_deviation(data, split)
    bins = torch.bucketize(deviation, torch.quantile(deviation.flatten(), torch.tensor([1 / 3, 2 / 3])))
    for i, name in enumerate(BINS):
        out[f"mae@{name}"] = pair(err.abs(), mask & (bins == i)[:, None, :])
    return out


def comparison_rows(
    ours: dict[str, np.ndarray],
    theirs: dict[str, np.ndarray],
    baseline: str,
    edges: tuple[float, float],
    block: int = 1,
) -> list[ComparisonRow]:
    """``ours`` vs ``theirs`` (:func:`window_items`, lower is better) with a paired bootstrap over
    the test windows in blocks of ``block`` consecutive windows: MAE / RMSE / MAPE averaged, MAE at
    the reported horizon steps, then MAE per input-deviation tercile (``edges``: the tercile
    boundaries); each row names ``baseline``."""

    def row(task: str, metric: str, key: str, **extra: str) -> ComparisonRow:
        details = {"baseline": baseline, **{k.replace("_", " "): v for k, v in extra.items()}}
        reduce = root_ratio_reduce if key.startswith("rmse") else ratio_reduce
        return ComparisonRow.from_items(task, metric, ours[key], theirs[key], reduce=reduce,
                                        higher_is_better=False, extra=details, unit="windows", block=block)  # fmt: skip

    horizon = sum(1 for key in ours if key.startswith("mae@") and key[4:].isdigit())
    rows = [row("test avg", label, f"{metric}@avg") for metric, label in METRICS]
    rows += [row(f"test step {h}", "mae", f"mae@{h}") for h in reported_steps(horizon)]
    low, high = edges
    ranges = {"low": f"0-{low:.2f}", "mid": f"{low:.2f}-{high:.2f}", "high": f"{high:.2f}+"}
    return rows + [row(f"test deviation {b}", "mae", f"mae@{b}", input_deviation=ranges[b]) for b in BINS]


def evaluate(module: SSLModule, data: TrafficData, ctx: EvalContext) -> list[ComparisonRow]:
    """ST-SSDL on the test split vs its no-SSL ablation run, the history average and the last value.

    Forecasts are deterministic, so ``ctx.quick`` and ``ctx.seeds`` change nothing: the interval of
    each row is a paired bootstrap over the test windows. Consecutive windows overlap (stride 1),
    so they are resampled in blocks of ``in_len + out_len`` (windows that share no time step are
    one block apart). Rows come task by task, one per baseline.
    """
    tensors = data.tensors("test")
    ours = window_items(predict(module, tensors), data)
    forecasts = {"no-SSL ablation": predict(ctx.baselines["no-ssl"], tensors)}
    forecasts.update(
        {name.replace("_", " "): pred for name, pred in baseline_predictions(data, "test").items()}
    )
    deviation = input_deviation(data, "test")
    edges = torch.quantile(deviation.flatten(), torch.tensor([1 / 3, 2 / 3]))
    block = max(1, min(data.in_len + data.out_len, len(tensors["x"]) // 2))
    per_baseline = [
        comparison_rows(ours, window_items(pred, data), name, (float(edges[0]), float(edges[1])), block)
        for name, pred in forecasts.items()
    ]
    return [row for group in zip(*per_baseline) for row in group]
