"""Networks: contract checks, padding invariance, shapes."""

from __future__ import annotations

import torch
from ssl_plugin_speech.encoders import (
    AcousticModel,
    ContentEncoder,
    FrameDiscriminator,
    SpeakerEncoder,
    TERAEncoder,
    batch_mask,
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


def test_batch_mask_from_n_frames() -> None:
    batch = _batch()
    mask = batch_mask(batch)
    assert mask is not None and mask.shape == (3, 20)
    assert mask.sum(1).tolist() == [20, 15, 9] and not mask[2, 9:].any()
    assert batch_mask({"features": batch["features"]}) is None


def test_pooled_output_is_the_mean_of_the_valid_frames() -> None:
    enc = TERAEncoder(16, 32, 2, 4, 64, dropout=0.0).eval()
    batch = _batch()
    out = enc(batch)
    for b, n in enumerate(batch["n_frames"].tolist()):
        assert torch.allclose(out["pooled"][b], out["tokens"][b, :n].mean(0), atol=1e-6)


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
