"""Losses of the speech plugin: TERA's masked L1 (core) and the LSGAN terms of the mel adversary.

TERA (Liu, Li, Lee, TASLP 2021) uses the core :class:`ssl_core.objectives.MaskedReconstructionLoss`
with ``loss="l1"``. The voice-conversion mel discriminator (Zhao et al., ICME 2023, arXiv
2305.09167, "the usual GAN losses (LSGAN or BCE)") uses least-squares GAN losses (Mao et al., 2017,
arXiv 1611.04076): ``L_D = mean((D(real) - 1)^2) + mean(D(fake)^2)`` and ``L_G = mean((D(fake) - 1)^2)``.
"""

from __future__ import annotations

from torch import Tensor

from ssl_core.objectives import MaskedReconstructionLoss

_L1 = MaskedReconstructionLoss(loss="l1")


def masked_l1(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Mean absolute error over the positions where ``mask`` (``(B, T)`` or ``(B, T, F)``) is set."""
    return _L1(pred, target, mask).loss


def lsgan_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """LSGAN discriminator loss: real pushed to 1, fake to 0."""
    return (real_logits - 1.0).pow(2).mean() + fake_logits.pow(2).mean()


def lsgan_generator_loss(fake_logits: Tensor) -> Tensor:
    """LSGAN generator loss: fake pushed to 1."""
    return (fake_logits - 1.0).pow(2).mean()


__all__ = ["MaskedReconstructionLoss", "lsgan_discriminator_loss", "lsgan_generator_loss", "masked_l1"]
