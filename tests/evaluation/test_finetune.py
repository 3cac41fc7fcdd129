import pytest
import torch
from torch import nn

from ssl_core.evaluation import finetune


def test_finetune_on_fraction_learns_and_leaves_encoder_untouched():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(600, 6, generator=g)
    y = (x[:, 0] + x[:, 1] > 0).long()
    torch.manual_seed(0)
    enc = nn.Sequential(nn.Linear(6, 16), nn.ReLU())
    before = [p.clone() for p in enc.parameters()]
    out = finetune(enc, x[:400], y[:400], x[400:], y[400:], out_dim=2, fraction=0.5, epochs=40, lr=1e-2)
    assert out["n_labelled"] == 200
    assert out["acc"] > 0.9
    assert all(torch.equal(a, b) for a, b in zip(before, enc.parameters()))


def test_finetune_regression_and_bad_fraction():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 3, generator=g)
    y = x @ torch.tensor([1.0, 2.0, -1.0])
    enc = nn.Linear(3, 8)
    out = finetune(
        enc,
        x[:200],
        y[:200],
        x[200:],
        y[200:],
        out_dim=1,
        task="regression",
        fraction=1.0,
        epochs=60,
        lr=1e-2,
    )
    assert out["rmse"] < 0.3
    with pytest.raises(ValueError, match="fraction"):
        finetune(enc, x, y, x, y, out_dim=1, task="regression", fraction=0.0)
