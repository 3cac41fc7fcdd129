import pytest
import torch

from ssl_core.recipes.window_encoder import WindowEncoder
from ssl_core.testing.contracts import check_encoder


def test_window_encoder_contract_and_errors():
    enc = WindowEncoder("f", (2, 13), dim=16, hidden=32)
    check_encoder(enc, {"f": torch.randn(4, 2, 13)})
    assert enc({"f": torch.randn(3, 2, 13)})["pooled"].shape == (3, 16)
    with pytest.raises(KeyError, match="'f'"):
        enc({"x": torch.randn(3, 2, 13)})
    with pytest.raises(ValueError, match=r"expected \(2, 13\)"):
        enc({"f": torch.randn(3, 26)})
