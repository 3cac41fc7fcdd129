"""TERA view + loss, and the LSGAN terms, against closed forms."""

from __future__ import annotations

import torch
from ssl_plugin_speech.objectives import (
    MaskedReconstructionLoss,
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    masked_l1,
)
from ssl_plugin_speech.views import altered_view, tera_alteration

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
    view = altered_view(tera_alteration(magnitude=False), clean, torch.Generator().manual_seed(1))
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
