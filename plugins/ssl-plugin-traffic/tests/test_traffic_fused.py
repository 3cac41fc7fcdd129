"""``train.compile_regions`` on ST-SSDL: the GCRU cells through ``torch.compile`` give the eager numbers."""

from __future__ import annotations

import copy

import pytest
import torch
from ssl_plugin_traffic.encoders import GCRUCell
from test_traffic_method import batch_of, tiny

from ssl_core.nn import compile_regions


def loss_and_grads(fuse: bool, recompute: bool) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """One float64 training forward + backward of the tiny model (same seed, same batch)."""
    module, data = tiny(recompute=recompute)
    if fuse:
        assert compile_regions(module) == 2  # the encoder's and the decoder's cell
    module.double()
    batch = {k: v.double() if v.is_floating_point() else v for k, v in batch_of(data).items()}
    loss = module(batch, torch.Generator().manual_seed(0)).loss
    loss.backward()
    return loss.detach(), {n: p.grad.clone() for n, p in module.named_parameters() if p.grad is not None}


@pytest.mark.parametrize("recompute", [False, True])
def test_fused_cells_equal_eager_in_float64(recompute: bool) -> None:
    eager_loss, eager = loss_and_grads(False, recompute)
    fused_loss, fused = loss_and_grads(True, recompute)
    torch.testing.assert_close(fused_loss, eager_loss, rtol=1e-12, atol=1e-12)
    assert fused.keys() == eager.keys() and len(eager) > 10
    for name in eager:
        torch.testing.assert_close(fused[name], eager[name], rtol=1e-10, atol=1e-12, msg=name)


def test_fused_cells_are_wired_and_copies_use_their_own_weights() -> None:
    module, data = tiny()
    cells = [m for m in module.modules() if isinstance(m, GCRUCell)]
    assert len(cells) == 2 and not any(c.fused for c in cells)
    compile_regions(module)
    assert all(c.fused for c in cells)
    batch = batch_of(data)
    clone = copy.deepcopy(module)  # what EMA and checkpoint copies do
    with torch.no_grad():
        for p in clone.parameters():
            p.mul_(0.5)
        module.eval(), clone.eval()
        first, second = module(batch).loss, clone(batch).loss
        again = module(batch).loss
    assert not torch.allclose(first, second)  # the copy computes with its own (halved) weights
    torch.testing.assert_close(again, first)
