import pytest
import torch
from torch import nn

from ssl_core.nn import MLP, predictor_head, projection_head


def test_layers_and_shapes():
    mlp = MLP([8, 16, 16, 4], norm="batch", act="gelu", last_bias=False)
    kinds = [type(m) for m in mlp]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.GELU, nn.Linear, nn.BatchNorm1d, nn.GELU, nn.Linear]
    assert mlp[0].bias is None and mlp[-1].bias is None
    assert mlp(torch.randn(5, 8)).shape == (5, 4)
    assert (mlp.in_dim, mlp.out_dim) == (8, 4)


def test_layer_norm_and_no_norm_accept_token_inputs():
    mlp = MLP([8, 16, 4], norm="layer", dropout=0.1)
    assert any(isinstance(m, nn.LayerNorm) for m in mlp)
    assert any(isinstance(m, nn.Dropout) for m in mlp)
    assert mlp[0].bias is not None
    assert mlp(torch.randn(2, 3, 8)).shape == (2, 3, 4)
    plain = MLP([8, 4], norm=None)
    assert len(plain) == 1


def test_matches_manual_composition():
    torch.manual_seed(0)
    mlp = MLP([3, 5, 2], norm=None, act="relu")
    x = torch.randn(4, 3)
    expected = mlp[2](torch.relu(mlp[0](x)))
    torch.testing.assert_close(mlp(x), expected)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"dims": [4]},
        {"dims": [4, 0]},
        {"dims": [4, 2], "norm": "group"},
        {"dims": [4, 2], "act": "tanh"},
        {"dims": [4, 2], "dropout": 1.0},
    ],
)
def test_rejects_bad_configs(kwargs):
    with pytest.raises(ValueError, match="MLP"):
        MLP(**kwargs)


def test_heads():
    proj = projection_head(16, hidden_dim=32, out_dim=8, num_layers=3)
    assert sum(isinstance(m, nn.Linear) for m in proj) == 3
    assert proj(torch.randn(4, 16)).shape == (4, 8)
    assert projection_head(16, out_dim=8, num_layers=1)(torch.randn(2, 16)).shape == (2, 8)
    pred = predictor_head(8, hidden_dim=4)
    assert pred(torch.randn(4, 8)).shape == (4, 8)
    with pytest.raises(ValueError, match="num_layers"):
        projection_head(4, num_layers=0)
