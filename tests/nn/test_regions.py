"""Regional compilation (``ssl_core.nn.regions``): compiled transformer layers give the eager numbers."""

from __future__ import annotations

import copy

import pytest
import torch
from torch import nn
from torch._dynamo.utils import counters

from ssl_core.nn import compile_regions
from ssl_core.nn.transformer import FastTransformerEncoder


def _encoder(norm_first: bool) -> FastTransformerEncoder:
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        8, 2, 16, 0.0, activation="relu", batch_first=True, norm_first=norm_first
    )
    return FastTransformerEncoder(layer, 3).double()


@pytest.mark.parametrize("norm_first", [True, False])
def test_compiled_layers_equal_eager_in_float64_at_changing_lengths(norm_first: bool) -> None:
    eager, compiled = _encoder(norm_first), _encoder(norm_first)
    assert compile_regions(compiled) == 1 and compiled.compiled and not eager.compiled
    counters.clear()
    for length in (5, 7, 4):  # the length changes every call, as T-JEPA's masks do
        x = torch.randn(6, length, 8, dtype=torch.float64)
        x1, x2 = x.clone().requires_grad_(), x.clone().requires_grad_()
        out1, out2 = eager(x1), compiled(x2)
        torch.testing.assert_close(out2, out1, rtol=1e-12, atol=1e-12)
        grad = torch.randn_like(out1)
        out1.backward(grad), out2.backward(grad)
        torch.testing.assert_close(x2.grad, x1.grad, rtol=1e-10, atol=1e-12)
        for (name, p1), p2 in zip(eager.named_parameters(), compiled.parameters(), strict=True):
            torch.testing.assert_close(p2.grad, p1.grad, rtol=1e-10, atol=1e-12, msg=name)
    assert counters["stats"]["unique_graphs"] >= 1  # the compiled path ran
    assert sum(counters["graph_break"].values()) == 0


def test_copies_of_a_compiled_encoder_use_their_own_weights() -> None:
    encoder = _encoder(True)
    compile_regions(encoder)
    clone = copy.deepcopy(encoder)  # what an EMA teacher is
    with torch.no_grad():
        for p in clone.parameters():
            p.mul_(0.5)
        x = torch.randn(2, 5, 8, dtype=torch.float64)
        first, second, again = encoder(x), clone(x), encoder(x)
    assert clone.compiled and not torch.allclose(first, second)
    torch.testing.assert_close(again, first)
