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
