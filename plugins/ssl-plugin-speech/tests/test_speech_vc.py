"""TERA and VC modules: losses, gradient reversal and the frozen-discriminator generator term."""

from __future__ import annotations

import torch
from speech_helpers import tiny_vc, voice
from ssl_plugin_speech.vc import VoiceConversionMethod


def _vc(lambda_spk: float = 1.0, lambda_mel: float = 0.1, tera_weight: float = 1.0) -> VoiceConversionMethod:
    return tiny_vc(lambda_spk=lambda_spk, lambda_mel=lambda_mel, tera_weight=tera_weight)


def _batch() -> dict[str, torch.Tensor]:
    waves = torch.from_numpy(
        torch.stack(
            [torch.from_numpy(voice(f, 0.3, seed=i)) for i, f in enumerate((120.0, 200.0, 150.0, 90.0))]
        ).numpy()
    )
    return {
        "wave": waves,
        "n_frames": torch.tensor([31, 31, 25, 31]),
        "is_target": torch.tensor([1.0, 0.0, 1.0, 0.0]),
    }


def test_tera_step_and_embed() -> None:
    tera = _vc().tera
    out = tera(_batch(), torch.Generator().manual_seed(0))
    assert torch.isfinite(out.loss) and out.embeddings.shape == (4, 32)
    out.loss.backward()
    assert all(p.grad is not None for p in tera.encoder.parameters())
    assert tera.embed(_batch()).shape == (4, 32)


def test_vc_step_trains_every_part() -> None:
    vc = _vc()
    out = vc(_batch(), torch.Generator().manual_seed(0))
    assert {"loss/tera", "loss/rec", "loss/spk_disc", "loss/mel_disc", "loss/mel_gen"} <= set(out.metrics)
    out.loss.backward()
    for part in (vc.tera.encoder, vc.content, vc.acoustic, vc.spk_disc, vc.mel_disc):
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in part.parameters())


def _content_grad(vc: VoiceConversionMethod, batch: dict[str, torch.Tensor], adversary: bool) -> torch.Tensor:
    vc.zero_grad()
    content = vc.content_frames(vc.tera.frontend(batch))
    mask = torch.ones(content.shape[:2], dtype=torch.bool)
    if adversary:  # the module's own path: reversal layer, discriminator, BCE
        loss = vc._speaker_adversary(content, mask, batch)
    else:
        logits = vc.spk_disc(content)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits, batch["is_target"][:, None].expand_as(logits)
        )
    loss.backward()
    return torch.cat([p.grad.flatten() for p in vc.content.parameters()])


def test_speaker_adversary_reverses_the_content_gradient() -> None:
    vc, batch = _vc(lambda_spk=0.5), _batch()
    vc.eval()
    reversed_grad = _content_grad(vc, batch, adversary=True)
    plain = _content_grad(vc, batch, adversary=False)
    assert plain.abs().sum() > 0 and torch.allclose(reversed_grad, -0.5 * plain, atol=1e-6)
    assert _content_grad(_vc(lambda_spk=0.0).eval(), batch, adversary=True).abs().sum() == 0


def test_mel_generator_term_does_not_train_the_discriminator() -> None:
    vc = _vc()
    real, fake = torch.randn(2, 10, 80), torch.randn(2, 10, 80, requires_grad=True)
    d_loss, g_loss = vc._mel_adversary(real, fake)
    g_loss.backward()
    assert all(p.grad is None for p in vc.mel_disc.parameters()) and fake.grad is not None
    fake.grad = None
    d_loss.backward()
    assert fake.grad is None and all(p.grad is not None for p in vc.mel_disc.parameters())


def test_convert_returns_log_mel_of_source_length() -> None:
    vc = _vc().eval()
    mel = vc.convert({"wave": torch.from_numpy(voice(150.0, 0.5))[None]})
    assert mel.shape == (1, 51, 80) and torch.isfinite(mel).all()


def test_random_init_copy_redraws_every_weight_and_keeps_the_original() -> None:
    from ssl_plugin_speech.evaluate import random_init_copy

    tera = _vc().tera
    before = {n: p.clone() for n, p in tera.named_parameters()}
    fresh = random_init_copy(tera, seed=3)
    params = dict(fresh.named_parameters())
    weights = [n for n in before if n.startswith("encoder.") and n.endswith("weight") and "norm" not in n]
    assert weights and all(not torch.equal(before[n], params[n]) for n in weights)
    assert all(torch.equal(before[n], p) for n, p in tera.named_parameters())
    assert torch.equal(fresh.frontend.cmvn.mean, tera.frontend.cmvn.mean)
