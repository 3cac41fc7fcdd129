"""The generic methods train through the engine (see also test_jepa_method.py)."""

import pytest
import torch
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.interfaces import POOLED, Encoder, Recipe, ViewGenerator
from ssl_core.methods import TwoViewMethod
from ssl_core.objectives import VICRegLoss
from ssl_core.testing.configs import tiny_run_config


class ScaledViews(ViewGenerator):
    """Deterministic views (so one batch and k micro-batches see the same views)."""

    view_names = ("a", "b")

    def __call__(self, batch, generator=None):
        return {"a": {**batch, "x": batch["x"]}, "b": {**batch, "x": 1.5 * batch["x"].flip(-1)}}


class LinearEncoder(Encoder):
    def __init__(self):
        super().__init__()
        self.output_dim = 5
        self.lin = nn.Linear(6, 5)

    def forward(self, batch):
        return {POOLED: self.lin(batch["x"])}


def _recipe() -> Recipe:
    torch.manual_seed(0)
    method = TwoViewMethod(ScaledViews(), LinearEncoder(), nn.Linear(5, 4), VICRegLoss())
    data = TensorDictDataset({"x": torch.randn(32, 6, generator=torch.Generator().manual_seed(1))})
    return Recipe(name="core/test-two-view", module=method, train_data=data)


def engine_config(name: str, **train_overrides):
    config = tiny_run_config(name, ckpt_every=100, monitor_every=100, log_every=100, **train_overrides)
    config.optim.name, config.optim.lr, config.optim.momentum = "sgd", 0.01, 0.0
    config.optim.schedule.name = "constant"
    return config


def test_grad_cache_accumulation_matches_one_batch(tmp_path):
    results = []
    for accum in (1, 2):
        config = engine_config("core/test-two-view", steps=3, batch_size=8, grad_accum=accum)
        results.append(train(config, tmp_path / f"accum{accum}", recipe=_recipe()))
    one, cached = (r.module.state_dict() for r in results)
    for name in one:
        torch.testing.assert_close(cached[name], one[name], rtol=1e-5, atol=1e-6, msg=name)
    assert results[1].step == 3
    assert results[1].metrics["loss"] == pytest.approx(results[0].metrics["loss"], rel=1e-5)
