import pytest
import torch
from torch import nn

from ssl_core.interfaces import POOLED, TOKENS, Encoder, ViewGenerator
from ssl_core.methods import MaskedReconstructionMethod
from ssl_core.objectives import MaskedReconstructionLoss
from ssl_core.views import MaskingView


class HalfMask(ViewGenerator):
    """Zero the first half of the time steps and mark them in ``"mask"``."""

    view_names = ("masked",)

    def __call__(self, batch, generator=None):
        x = batch["x"]
        mask = torch.zeros(x.shape[:2], dtype=torch.bool)
        mask[:, : x.shape[1] // 2] = True
        return {"masked": {**batch, "x": x.masked_fill(mask.unsqueeze(-1), 0.0), "mask": mask}}


class TokenEncoder(Encoder):
    def __init__(self, f=3, h=8):
        super().__init__()
        self.output_dim = h
        self.lin = nn.Linear(f, h)

    def forward(self, batch):
        tokens = torch.tanh(self.lin(batch["x"]))
        return {TOKENS: tokens, POOLED: tokens.mean(1)}


def test_loss_equals_manual_and_ignores_unmasked_positions():
    torch.manual_seed(0)
    method = MaskedReconstructionMethod(
        HalfMask(), TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss("l1")
    )
    x = torch.randn(4, 6, 3)
    out = method({"x": x})
    view = HalfMask()({"x": x})["masked"]
    pred = method.head(method.encoder(view)[TOKENS])
    expected = (pred - x)[:, :3].abs().mean()
    torch.testing.assert_close(out.loss, expected)
    assert "loss/reconstruction" in out.metrics and out.embeddings.shape == (4, 8)
    out.loss.backward()
    assert all(p.grad is not None for p in method.parameters())
    assert method.embed({"x": x}).shape == (4, 8)


def test_with_core_masking_view_picks_the_masked_view():
    torch.manual_seed(0)
    views = MaskingView("x", axis=1, kind="random", ratio=0.5)
    method = MaskedReconstructionMethod(
        views, TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss("mse")
    )
    x = torch.randn(4, 10, 3)
    out = method({"x": x}, torch.Generator().manual_seed(0))
    mask = views({"x": x}, torch.Generator().manual_seed(0))["masked"]["mask"]
    assert mask.any() and not mask.all()
    masked_in = x.masked_fill(mask.unsqueeze(-1), 0.0)
    pred = method.head(method.encoder({"x": masked_in})[TOKENS])
    torch.testing.assert_close(out.loss, (pred - x)[mask].pow(2).mean())


def test_explicit_target_in_view_is_used():
    class WithTarget(HalfMask):
        def __call__(self, batch, generator=None):
            views = super().__call__(batch, generator)
            views["masked"]["target"] = torch.zeros_like(batch["x"])
            return views

    torch.manual_seed(0)
    method = MaskedReconstructionMethod(
        WithTarget(), TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss("l1")
    )
    x = torch.randn(2, 4, 3)
    pred = method.head(method.encoder(WithTarget()({"x": x})["masked"])[TOKENS])
    torch.testing.assert_close(method({"x": x}).loss, pred[:, :2].abs().mean())


def test_missing_mask_or_input_is_named():
    class NoMask(ViewGenerator):
        def __call__(self, batch, generator=None):
            return {"v": dict(batch)}

    method = MaskedReconstructionMethod(NoMask(), TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss())
    with pytest.raises(KeyError, match="holding a mask 'mask'"):
        method({"x": torch.randn(2, 4, 3)})
    method = MaskedReconstructionMethod(
        HalfMask(), TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss(), input_key="y"
    )
    with pytest.raises(KeyError, match="no input 'y'"):
        method({"x": torch.randn(2, 4, 3)})
