import pytest
import torch

from ssl_core.nn import MLP, MLPEncoder
from ssl_core.testing.contracts import check_encoder


def test_mlp_encoder_contract_and_errors():
    enc = MLPEncoder("f", (2, 13), dim=16, hidden=32)
    check_encoder(enc, {"f": torch.randn(4, 2, 13)})
    assert enc({"f": torch.randn(3, 2, 13)})["pooled"].shape == (3, 16)
    with pytest.raises(KeyError, match="'f'"):
        enc({"x": torch.randn(3, 2, 13)})
    with pytest.raises(ValueError, match=r"expected \(2, 13\)"):
        enc({"f": torch.randn(3, 26)})
    with pytest.raises(ValueError, match="depth"):
        MLPEncoder("f", (4,), depth=0)


def test_mlp_encoder_is_the_mlp_of_the_flattened_input():
    torch.manual_seed(0)
    enc = MLPEncoder("f", (2, 3), dim=5, hidden=7, depth=3, norm=None, act="relu")
    ref = MLP([6, 7, 7, 7, 5], norm=None, act="relu")
    ref.load_state_dict(enc.mlp.state_dict())
    x = torch.randn(4, 2, 3, dtype=torch.float64)
    assert torch.allclose(enc({"f": x})["pooled"], ref(x.reshape(4, 6).float()))
    assert sum(isinstance(m, torch.nn.Linear) for m in enc.modules()) == 4
