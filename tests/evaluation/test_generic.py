import torch
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.evaluation import embed_dataset, generic_report
from ssl_core.evaluation.generic import reinitialised
from ssl_core.interfaces import Recipe, SSLModule, StepOutput


class _Linear(SSLModule):
    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, batch, generator=None):
        return StepOutput(self.lin(batch["x"]).pow(2).mean())

    def embed(self, batch):
        return self.lin(batch["x"])


def _recipe(module: SSLModule, label_dtype=torch.long) -> Recipe:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(200, 4, generator=g)
    y = (x[:, 0] > 0).to(label_dtype) if label_dtype == torch.long else x[:, 0] * 2.0
    data = TensorDictDataset({"x": x, "y": y})
    return Recipe("test/linear", module, data, eval_data=data, label_key="y")


def test_generic_report_trained_vs_random():
    torch.manual_seed(0)
    module = _Linear()
    with torch.no_grad():
        module.lin.weight.copy_(torch.eye(4))
        module.lin.bias.zero_()
    report = generic_report(module, _recipe(module), seeds=(0, 1))
    assert set(report) == {"probe/acc", "random/acc", "n_eval"} and report["n_eval"] == 200
    assert report["probe/acc"][0] > 0.9
    reg = generic_report(module, _recipe(module, torch.float32), seeds=(0,))
    assert "probe/rmse" in reg and reg["probe/rmse"][0] < 0.5  # target std is 2


def test_reinitialised_is_a_fresh_copy_and_embed_dataset_batches():
    module = _Linear()
    fresh = reinitialised(module, seed=3)
    assert not torch.equal(fresh.lin.weight, module.lin.weight)
    assert torch.equal(reinitialised(module, seed=3).lin.weight, fresh.lin.weight)
    recipe = _recipe(module)
    x, y = embed_dataset(module, recipe.eval_data, label_key="y", batch_size=64)
    assert x.shape == (200, 4) and y is not None and y.shape == (200,)
    assert module.training


def test_probe_comparison_pairs_seeds_or_bootstraps_items():
    import numpy as np
    import pytest

    from ssl_core.evaluation import ComparisonRow, paired_t_interval, probe_comparison
    from ssl_core.evaluation.generic import _split_items

    g = torch.Generator().manual_seed(0)
    labels = torch.randint(0, 2, (200,), generator=g)
    good = labels[:, None].float() + 0.3 * torch.randn(200, 4, generator=g)
    noise = torch.randn(200, 4, generator=g)
    rows = probe_comparison(good, {"noise": noise}, labels, task="y", seeds=[0, 1, 2])
    assert [(r.metric, r.n, r.unit, r.extra["baseline"]) for r in rows] == [("acc", 3, "seeds", "noise")]
    per_seed = [[_split_items(f, labels, s)["acc"].mean() for s in range(3)] for f in (good, noise)]
    assert rows[0].diff_ci == pytest.approx(paired_t_interval(*per_seed)[1:])
    assert rows[0].verdict == "better"
    (one,) = probe_comparison(good, {"noise": noise}, labels, task="y", seeds=[0])
    items = [_split_items(f, labels, 0)["acc"] for f in (good, noise)]
    ref = ComparisonRow.from_items("y", "acc", *items)
    assert one.n == 100 and one.method == "paired bootstrap" and one.diff_ci == ref.diff_ci
    assert one.ssl[0] == pytest.approx(float(np.mean(items[0]))) and one.verdict == "better"
    reg = probe_comparison(good, {"same": good}, labels.float(), task="y", seeds=[0])
    assert [r.metric for r in reg] == ["rmse", "mae"] and all(r.verdict == "no clear difference" for r in reg)
    assert not reg[0].higher_is_better and reg[0].diff_ci == (0.0, 0.0)
