"""Speaker-adversary options of ``speech/vc``: ramped reversal, discriminator lr scale, per-frame discriminator."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import ssl_plugin_speech.plugin as plugin
import torch
from speech_helpers import TINY_VC_ARGS, parallel_utts, tiny_vc
from ssl_plugin_speech.encoders import FrameDiscriminator
from ssl_plugin_speech.probes import frame_speaker_scores

from ssl_core.optim import param_groups
from ssl_core.schedules import dann_ramp

STRONG = {
    "grl_ramp": True,
    "disc_lr_scale": 20.0,
    "disc_kernel": 1,
    "disc_layers": 4,
    "lambda_spk": 2.0,
    "segment_adversary": 1.0,
}


def test_per_frame_discriminator_sees_one_frame_only() -> None:
    torch.manual_seed(0)
    disc = FrameDiscriminator(6, 16, layers=4, kernel=1)
    x = torch.randn(2, 12, 6)
    y = x.clone()
    y[:, 5] += 3.0
    diff = (disc(x) - disc(y)).abs()
    assert diff[:, 5].min() > 0 and diff[:, torch.arange(12) != 5].max() == 0
    wide = FrameDiscriminator(6, 16, layers=3, kernel=5)  # receptive field 1 + 4 * 4 = 17 frames
    z = torch.randn(1, 40, 6)
    w = z.clone()
    w[:, 20] += 3.0
    changed = ((wide(z) - wide(w)).abs() > 0)[0].nonzero().flatten()
    assert changed.min() == 12 and changed.max() == 28
    with pytest.raises(ValueError, match="kernel must be odd"):
        FrameDiscriminator(6, 16, kernel=4)


def test_options_reach_the_module_and_the_optimizer_groups(corpus_dir: Path) -> None:
    from ssl_plugin_speech.recipes import VC as vc_recipe

    recipe = vc_recipe(
        data=str(corpus_dir), target_speaker="alice", heldout_sentences=["003"], **TINY_VC_ARGS
    )
    vc = recipe.module
    assert not vc.grl.ramp and vc.grl.lambd == 0.5 and vc.spk_disc.optim_lr_scale == 1.0
    assert all(g["lr_scale"] == 1.0 for g in param_groups(vc, 0.01))
    strong = vc_recipe(
        data=str(corpus_dir), target_speaker="alice", heldout_sentences=["003"], **TINY_VC_ARGS, **STRONG
    ).module
    assert strong.grl.ramp and strong.grl.max_lambd == 2.0 and strong.grl.lambd == 0.0
    assert vc.segment_adversary == 0.0 and strong.segment_adversary == 1.0
    convs = strong.spk_disc.net.convs
    assert len(convs) == 5 and all(c.kernel_size == (1,) for c in convs)
    groups = param_groups(strong, 0.01)
    disc = {id(p) for p in strong.spk_disc.parameters()}
    for g in groups:
        ids = {id(p) for p in g["params"]}
        assert ids <= disc if g["lr_scale"] == 20.0 else not ids & disc
    assert sum(len(g["params"]) for g in groups if g["lr_scale"] == 20.0) == len(disc)


def test_engine_ramps_the_reversal_weight(ssl_pm, tiny_train_config, tmp_run_dir, corpus_dir: Path) -> None:
    from ssl_core.engine import train

    args = {"data": str(corpus_dir), "target_speaker": "alice", "heldout_sentences": ["003"]}
    with ssl_pm.registered(plugin):
        config = tiny_train_config("speech/vc", {**args, **TINY_VC_ARGS, **STRONG}, steps=3)
        result = train(config, tmp_run_dir)
    grl = result.module.grl
    assert result.step == 3 and np.isfinite(result.metrics["loss"])
    assert grl.lambd == pytest.approx(2.0 * dann_ramp(2, 3)) and 0 < grl.lambd < 2.0


def _vc_with(**kw: object):
    return tiny_vc(spk_kernel=1, **kw)


def test_ramped_reversal_scales_the_content_gradient_by_the_ramp() -> None:
    vc = _vc_with(lambda_spk=2.0, grl_ramp=True)
    content = torch.randn(2, 7, 8, requires_grad=True)
    mask = torch.ones(2, 7, dtype=torch.bool)
    batch = {"is_target": torch.tensor([1.0, 0.0])}

    def grad_at(step: int) -> torch.Tensor:
        vc.grl.set_step(step, 10)
        content.grad = None
        vc._speaker_adversary(content, mask, batch).backward()
        return content.grad.clone()

    plain = vc.spk_disc(content)  # the same loss without the reversal layer
    torch.nn.functional.binary_cross_entropy_with_logits(
        plain, batch["is_target"][:, None].expand_as(plain)
    ).backward()
    ref = content.grad.clone()
    assert grad_at(0).abs().max() == 0
    for step in (3, 10):
        assert torch.allclose(grad_at(step), -2.0 * dann_ramp(step, 10) * ref, atol=1e-7)


def test_frame_scores_count_every_test_frame() -> None:
    """Test frames: 30 of 40 carry the speaker's code, 10 the next speaker's: per frame 0.75, per utterance 1."""
    utts = parallel_utts()
    gen = torch.Generator().manual_seed(0)
    codes = 4.0 * torch.eye(3, 6)
    frames = []
    for u in utts:
        s = int(u.speaker[1:])
        wrong = 10 if int(u.sentence) % 2 else 0  # sentences 001 and 003 are the probe's test split
        rows = [codes[s]] * (40 - wrong) + [codes[(s + 1) % 3]] * wrong
        frames.append(torch.stack(rows) + 0.05 * torch.randn(40, 6, generator=gen))
    got = frame_speaker_scores(frames, utts, stride=1, target="s0")
    assert got["utterance"] == 1.0 and got["frame"] == pytest.approx(0.75)
    # "is it s0?": s0 frames right 30/40; s1 frames never called s0; s2 frames called s0 on 10/40.
    assert got["target_frame"] == pytest.approx((30 / 40 + (40 + 30) / 80) / 2)


def test_zero_mean_utterances_fool_the_utterance_average_not_the_frames() -> None:
    """Instance-normalised-like frames: +-code alternate, so every utterance's channel mean is 0.

    A linear probe's mean logit is then the same for every utterance, and the utterance-level
    score collapses to one class; an MLP reads the speaker off single frames.
    """
    utts = parallel_utts()
    gen = torch.Generator().manual_seed(1)
    codes = 3.0 * torch.eye(3, 6)
    sign = torch.tensor([1.0, -1.0]).repeat(20)[:, None]
    frames = [sign * codes[int(u.speaker[1:])] + 0.05 * torch.randn(40, 6, generator=gen) for u in utts]
    linear = frame_speaker_scores(frames, utts, stride=1)
    assert linear["utterance"] <= 0.5
    mlp = frame_speaker_scores(frames, utts, stride=1, hidden=32)
    assert mlp["frame"] > 0.95 and mlp["utterance"] == 1.0


def test_segment_adversary_reverses_its_gradient_too() -> None:
    """The segment term goes through the same reversal layer: content gets minus lambda times its gradient."""
    from ssl_plugin_speech.objectives import speaker_discriminator_loss

    vc = _vc_with(lambda_spk=0.5, segment_adversary=2.0)
    content = torch.randn(2, 7, 8, requires_grad=True)
    mask = torch.arange(7)[None] < torch.tensor([[7], [4]])
    batch = {"is_target": torch.tensor([1.0, 0.0])}
    vc._speaker_adversary(content, mask, batch).backward()
    got = content.grad.clone()
    content.grad = None
    speaker_discriminator_loss(vc.spk_disc(content), batch["is_target"], mask, 2.0).backward()
    assert torch.allclose(got, -0.5 * content.grad, atol=1e-7)
    content.grad = None
    speaker_discriminator_loss(vc.spk_disc(content), batch["is_target"], mask, 0.0).backward()
    assert not torch.allclose(got, -0.5 * content.grad, atol=1e-4)  # the segment term changes it
