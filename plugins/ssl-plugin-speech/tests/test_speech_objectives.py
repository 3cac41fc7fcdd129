"""TERA view + loss, and the LSGAN terms, against closed forms."""

from __future__ import annotations

import torch
from ssl_plugin_speech.objectives import (
    MaskedReconstructionLoss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    masked_l1,
    speaker_discriminator_loss,
)
from ssl_plugin_speech.views import tera_alteration

from ssl_core.testing.contracts import check_objective, check_view_generator


def _clean() -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {"features": torch.randn(4, 60, 80, generator=gen), "n_frames": torch.tensor([60, 50, 40, 30])}


def test_tera_alteration_contract_and_paper_settings() -> None:
    alteration = tera_alteration()
    check_view_generator(alteration, _clean(), stochastic=True)
    assert (alteration.time_ratio, alteration.time_span, alteration.p_zero, alteration.p_random) == (
        0.15,
        7,
        0.8,
        0.1,
    )
    assert (alteration.freq_max_ratio, alteration.magnitude_p, alteration.noise_std) == (0.2, 0.15, 0.2)


def test_altered_view_masks_only_valid_frames() -> None:
    clean = _clean()
    view = tera_alteration(magnitude=False)(clean, torch.Generator().manual_seed(1))["altered"]
    assert view["mask"].shape == (4, 60, 80) and view["mask"].any()
    assert not view["mask"][3, 30:].any()
    changed = view["features"] != clean["features"]
    assert not (changed & ~view["mask"]).any()


def test_tera_l1_contract_and_closed_form() -> None:
    pred = torch.randn(2, 5, 3, requires_grad=True)
    target = torch.randn(2, 5, 3)
    mask = torch.zeros(2, 5, 3, dtype=torch.bool)
    mask[0, 1] = True
    check_objective(MaskedReconstructionLoss("l1"), (pred, target, mask))
    assert torch.allclose(masked_l1(pred, target, mask), (pred - target)[0, 1].abs().mean())


def test_lsgan_closed_forms() -> None:
    real, fake = torch.tensor([1.0, 0.5]), torch.tensor([0.0, 0.2])
    assert torch.isclose(
        lsgan_discriminator_loss(real, fake), torch.tensor((0.0 + 0.25) / 2 + (0.0 + 0.04) / 2)
    )
    assert torch.isclose(lsgan_generator_loss(fake), torch.tensor((1.0 + 0.64) / 2))


def _naive_speaker_loss(logits: torch.Tensor, labels: torch.Tensor, n: list[int], w: float) -> torch.Tensor:
    """Frame and segment terms by explicit loops in float64."""
    lg = logits.double()
    frames, segments = [], []
    for b, length in enumerate(n):
        rows = lg[b, :length]
        if lg.dim() == 2:
            y = float(labels[b])
            p = torch.sigmoid(rows)
            frames += [-(y * torch.log(q) + (1 - y) * torch.log(1 - q)) for q in p]
            m = torch.sigmoid(rows.mean())
            segments.append(-(y * torch.log(m) + (1 - y) * torch.log(1 - m)))
        else:
            k = int(labels[b])
            logp = rows - torch.logsumexp(rows, -1, keepdim=True)
            frames += [-row[k] for row in logp]
            mean = logp.mean(0)
            segments.append(-(mean[k] - torch.logsumexp(mean, -1)))
    return torch.stack(frames).mean() + w * torch.stack(segments).mean()


def test_speaker_discriminator_loss_matches_a_loop_binary_and_k_way() -> None:
    gen = torch.Generator().manual_seed(0)
    n = [7, 3, 5]
    mask = torch.arange(7)[None] < torch.tensor(n)[:, None]
    binary = torch.randn(3, 7, generator=gen)
    is_target = torch.tensor([1.0, 0.0, 1.0])
    k_way = torch.randn(3, 7, 4, generator=gen)
    classes = torch.tensor([0, 3, 2])
    for logits, labels in ((binary, is_target), (k_way, classes)):
        for w in (0.0, 0.7):
            got = speaker_discriminator_loss(logits, labels, mask, w)
            ref = _naive_speaker_loss(logits, labels, n, w)
            assert torch.allclose(got.double(), ref, atol=1e-6), (logits.dim(), w)
        padded = logits.clone()
        padded[~mask] = 1e3  # padding never counts
        assert torch.allclose(
            speaker_discriminator_loss(padded, labels, mask, 0.7),
            speaker_discriminator_loss(logits, labels, mask, 0.7),
        )


def test_segment_term_sees_evidence_that_cancels_per_frame() -> None:
    """Frames that alternate between confident votes: the segment mean is neutral, single frames are not."""
    logits = torch.tensor([[4.0, -4.0, 4.0, -4.0]])
    mask = torch.ones(1, 4, dtype=torch.bool)
    label = torch.tensor([1.0])
    frame_only = speaker_discriminator_loss(logits, label, mask)
    both = speaker_discriminator_loss(logits, label, mask, 1.0)
    assert torch.allclose(both - frame_only, torch.log(torch.tensor(2.0)))  # BCE at a mean logit of 0
