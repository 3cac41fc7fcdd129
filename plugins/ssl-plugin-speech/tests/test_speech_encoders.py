"""Networks: contract checks, padding invariance, shapes."""

from __future__ import annotations

import torch
from ssl_plugin_speech.encoders import (
    AcousticModel,
    ContentEncoder,
    FrameDiscriminator,
    SpeakerEncoder,
    TERAEncoder,
    masked_mean,
)

from ssl_core.testing.contracts import check_encoder


def _batch(b: int = 3, t: int = 20, f: int = 16) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {"features": torch.randn(b, t, f, generator=gen), "n_frames": torch.tensor([20, 15, 9])[:b]}


def test_tera_encoder_contract() -> None:
    out = check_encoder(TERAEncoder(16, 32, 2, 4, 64), _batch())
    assert out["tokens"].shape == (3, 20, 32) and out["pooled"].shape == (3, 32)


def test_tera_encoder_ignores_padding() -> None:
    enc = TERAEncoder(16, 32, 2, 4, 64, dropout=0.0).eval()
    batch = _batch()
    padded = {
        "features": torch.cat([batch["features"], torch.randn(3, 5, 16)], 1),
        "n_frames": batch["n_frames"],
    }
    a, b = enc(batch), enc(padded)
    assert torch.allclose(a["pooled"], b["pooled"], atol=1e-5)
    assert torch.allclose(a["tokens"][1, :15], b["tokens"][1, :15], atol=1e-5)


def test_masked_mean_against_loop() -> None:
    x = torch.randn(2, 5, 3)
    mask = torch.tensor([[1, 1, 0, 0, 0], [1, 1, 1, 1, 1]], dtype=torch.bool)
    got = masked_mean(x, mask)
    assert torch.allclose(got[0], x[0, :2].mean(0)) and torch.allclose(got[1], x[1].mean(0))


def test_vc_networks_shapes_and_gradients() -> None:
    tokens = torch.randn(2, 30, 32, requires_grad=True)
    content = ContentEncoder(32, 16, 8)(tokens)
    mel = AcousticModel(8, 16, 80, blocks=2)(content)
    logits = FrameDiscriminator(80, 16)(mel)
    assert content.shape == (2, 30, 8) and mel.shape == (2, 30, 80) and logits.shape == (2, 30)
    logits.sum().backward()
    assert tokens.grad is not None and torch.isfinite(tokens.grad).all()
    spk = SpeakerEncoder(80, 16, 4)
    assert spk(mel).shape == (2, 4)
    assert torch.allclose(spk.embed(mel).norm(dim=-1), torch.ones(2), atol=1e-5)
