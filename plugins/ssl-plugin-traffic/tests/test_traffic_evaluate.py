"""The evaluation against naive references: simple-baseline forecasts, metrics and the comparison rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from ssl_plugin_traffic.config import STSSDLArgs
from ssl_plugin_traffic.data import TrafficData
from ssl_plugin_traffic.evaluate import baseline_predictions, evaluate, input_deviation, predict
from ssl_plugin_traffic.method import build_module
from traffic_helpers import make_series, ring_adjacency

from ssl_core.lifecycle import EvalContext


def small_data() -> TrafficData:
    return TrafficData.build(make_series(steps=24 * 12, nodes=4), ring_adjacency(4), in_len=6, out_len=3)


def test_simple_baselines_match_a_naive_loop() -> None:
    data = small_data()
    got = baseline_predictions(data, "test")
    for i, start in enumerate(data.starts["test"]):
        for h in range(3):
            t = start + 6 + h
            np.testing.assert_allclose(got["history_average"][i, h], data.table[data.slots[t]])
        for n in range(4):
            seen = [data.values[start + k, n] for k in range(6) if data.values[start + k, n] > 0]
            expect = seen[-1] if seen else data.table[data.slots[start + 6], n]
            np.testing.assert_allclose(got["last_value"][i, :, n], np.full(3, expect))


def naive_mae(pred: torch.Tensor, target: torch.Tensor) -> float:
    pairs = [(float(p), float(t)) for p, t in zip(pred.flatten(), target.flatten()) if t > 1e-3]
    return sum(abs(p - t) for p, t in pairs) / len(pairs)


def test_rows_name_their_baseline_and_carry_the_metrics() -> None:
    data = small_data()
    args = STSSDLArgs(in_len=6, out_len=3, rnn_units=4, prototype_num=3, prototype_dim=3, d_node=2, d_tod=2)
    torch.manual_seed(0)
    model, ablation = build_module(args, data), build_module(STSSDLArgs(**{**vars(args), "ssl": False}), data)
    ctx = EvalContext(Path("."), None, torch.device("cpu"), {"no-ssl": ablation})  # type: ignore[arg-type]
    rows = evaluate(model, data, ctx)
    names = ["no-SSL ablation", "history average", "last value"]
    assert len(rows) == 3 * (3 + 2 + 3) and [r.extra["baseline"] for r in rows[:3]] == names
    assert (
        all(not r.higher_is_better for r in rows) and rows[0].task == "test avg" and rows[0].metric == "mae"
    )
    tensors = data.tensors("test")
    target, simple = tensors["y"], baseline_predictions(data, "test")
    assert abs(rows[0].ssl[0] - naive_mae(predict(model, tensors), target)) < 1e-4
    assert abs(rows[0].baseline[0] - naive_mae(predict(ablation, tensors), target)) < 1e-4
    assert abs(rows[1].baseline[0] - naive_mae(simple["history_average"], target)) < 1e-4
    step3 = [r for r in rows if r.task == "test step 3" and r.metric == "mae"]
    assert abs(step3[2].baseline[0] - naive_mae(simple["last_value"][:, 2], target[:, 2])) < 1e-4
    deviation = [r for r in rows if r.task.startswith("test deviation")]
    assert [r.task for r in deviation[::3]] == [
        "test deviation low",
        "test deviation mid",
        "test deviation high",
    ]
    dev = input_deviation(data, "test")
    high = dev > torch.quantile(dev.flatten(), 2 / 3)  # (S, N): the top tercile of input deviation
    pred = simple["history_average"].transpose(1, 2)[high]  # (pairs, H)
    assert abs(deviation[-2].baseline[0] - naive_mae(pred, target.transpose(1, 2)[high])) < 1e-4
    assert all("input deviation" in r.extra for r in deviation)


def test_window_items_pool_to_the_report_and_rows_bootstrap_over_windows() -> None:
    from ssl_plugin_traffic.evaluate import model_report, window_items

    from ssl_core.evaluation import paired_bootstrap_interval, ratio_reduce, root_ratio_reduce

    data = small_data()
    simple = baseline_predictions(data, "test")
    items, report = window_items(simple["last_value"], data), model_report(simple["last_value"], data)
    n_windows = len(data.starts["test"])
    for key, pairs in items.items():
        assert pairs.shape == (n_windows, 2)
        reduce = root_ratio_reduce if key.startswith("rmse") else ratio_reduce
        assert reduce(pairs) == pytest.approx(report[key], rel=1e-5), key
    args = STSSDLArgs(in_len=6, out_len=3, rnn_units=4, prototype_num=3, prototype_dim=3, d_node=2, d_tod=2)
    torch.manual_seed(0)
    model, ablation = build_module(args, data), build_module(STSSDLArgs(**{**vars(args), "ssl": False}), data)
    ctx = EvalContext(Path("."), None, torch.device("cpu"), {"no-ssl": ablation})  # type: ignore[arg-type]
    rows = evaluate(model, data, ctx)
    block = 6 + 3  # in_len + out_len: windows one block apart share no time step
    assert all(r.n == n_windows and r.unit == "windows" for r in rows)
    assert all(r.method == f"paired block bootstrap ({block} per block)" for r in rows)
    last = rows[2]  # test avg mae vs the last value
    ours = window_items(predict(model, data.tensors("test")), data)["mae@avg"]
    _, low, high, _ = paired_bootstrap_interval(ours, items["mae@avg"], reduce=ratio_reduce, block=block)
    assert last.extra["baseline"] == "last value" and last.diff_ci == (low, high)
