"""Early-stopped downstream MLP: the selected checkpoint equals the core MLP probe trained for that long."""

from __future__ import annotations

import pytest
import torch

from ssl_core.evaluation import early_stopped_mlp, mlp_probe


def _split(n: int, seed: int, regression: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 6, generator=g)
    signal = x[:, 0] - 0.5 * x[:, 1] * x[:, 2] + 0.7 * torch.randn(n, generator=g)
    return x, (signal if regression else (signal > 0).long())


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_selected_checkpoint_matches_core_probe_and_is_best_on_val(task):
    reg = task == "regression"
    train, val, test = _split(300, 0, reg), _split(150, 1, reg), _split(150, 2, reg)
    stops = (5, 20, 60)
    kw = {"task": task, "lr": 1e-2, "weight_decay": 0.0, "hidden": 32, "seed": 3}
    best = early_stopped_mlp(train, val, test, checkpoints=stops, **kw)
    metric = "acc" if task == "classification" else "rmse"
    on_val = {e: mlp_probe(*train, *val, epochs=e, **kw)[metric] for e in stops}
    assert best.epochs in stops
    assert best.val == pytest.approx(on_val[best.epochs], abs=1e-6)
    chosen = max(on_val.values()) if metric == "acc" else min(on_val.values())
    assert best.val == pytest.approx(chosen, abs=1e-6)
    assert best.test == pytest.approx(mlp_probe(*train, *test, epochs=best.epochs, **kw)[metric], abs=1e-6)


def test_early_stopping_beats_overtraining_on_noisy_labels():
    train, val, test = _split(200, 0), _split(400, 1), _split(400, 2)
    kw = {"task": "classification", "lr": 3e-2, "hidden": 256, "seed": 0}
    best = early_stopped_mlp(train, val, test, checkpoints=(10, 400), **kw)
    late = mlp_probe(*train, *val, epochs=400, **kw)["acc"]
    assert best.val >= late


def test_bad_arguments():
    data = _split(20, 0)
    with pytest.raises(ValueError, match="positive epoch"):
        early_stopped_mlp(data, data, data, task="classification", checkpoints=(0,), lr=1e-2)
    with pytest.raises(ValueError, match="task"):
        early_stopped_mlp(data, data, data, task="ranking", checkpoints=(5,), lr=1e-2)
