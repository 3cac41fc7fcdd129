"""Losses of the speech plugin: TERA's masked L1 (core) and the LSGAN terms of the mel adversary.

TERA (Liu, Li, Lee, TASLP 2021) uses the core :class:`ssl_core.objectives.MaskedReconstructionLoss`
with ``loss="l1"``. The voice-conversion mel discriminator (Zhao et al., ICME 2023, arXiv
2305.09167, "the usual GAN losses (LSGAN or BCE)") uses least-squares GAN losses (Mao et al., 2017,
arXiv 1611.04076): ``L_D = mean((D(real) - 1)^2) + mean(D(fake)^2)`` and ``L_G = mean((D(fake) - 1)^2)``.
The speaker discriminator on content embeddings scores single frames (the paper's setting) and,
optionally, each segment's mean frame evidence (:func:`speaker_discriminator_loss`).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ssl_core.objectives import MaskedReconstructionLoss

_L1 = MaskedReconstructionLoss(loss="l1")


def masked_l1(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Mean absolute error over the positions where ``mask`` (``(B, T)`` or ``(B, T, F)``) is set."""
    return _L1(pred, target, mask).loss


def speaker_discriminator_loss(
    logits: Tensor, labels: Tensor, mask: Tensor, segment_weight: float = 0.0
) -> Tensor:
    """Loss of a frame-level speaker discriminator, optionally with a segment-level term.

    Args:
        logits: per-frame logits, ``(B, T)`` for the binary target-vs-external discriminator or
            ``(B, T, K)`` for a ``K``-way one.
        labels: per-segment labels ``(B,)``: 1.0 / 0.0 (binary) or class indices (``K``-way).
        mask: valid frames ``(B, T)``; every segment needs at least one.
        segment_weight: weight of the segment-level term, which scores each segment's *mean*
            per-frame evidence, as an utterance-level speaker probe aggregates frames: the mean
            logit (binary), or the mean log-probability renormalised by a softmax (``K``-way; without
            the renormalisation the term would equal the frame loss). 0 keeps the per-frame loss.

    Returns:
        BCE / cross-entropy over the valid frames, plus ``segment_weight`` times the same loss on
        the segment means.
    """
    w = mask.to(logits.dtype)
    n = w.sum(1).clamp_min(1.0)
    if logits.dim() == 2:
        target = labels.to(logits.dtype)
        frame = F.binary_cross_entropy_with_logits(logits[mask], target[:, None].expand_as(logits)[mask])
        if segment_weight == 0:
            return frame
        segment = F.binary_cross_entropy_with_logits((logits * w).sum(1) / n, target)
        return frame + segment_weight * segment
    classes = labels.long()
    frame = F.cross_entropy(logits[mask], classes[:, None].expand(mask.shape)[mask])
    if segment_weight == 0:
        return frame
    mean_logp = (logits.log_softmax(-1) * w.unsqueeze(-1)).sum(1) / n.unsqueeze(-1)
    return frame + segment_weight * F.cross_entropy(mean_logp, classes)  # renormalised geometric mean


def lsgan_discriminator_loss(real_logits: Tensor, fake_logits: Tensor) -> Tensor:
    """LSGAN discriminator loss: real pushed to 1, fake to 0."""
    return (real_logits - 1.0).pow(2).mean() + fake_logits.pow(2).mean()


def lsgan_generator_loss(fake_logits: Tensor) -> Tensor:
    """LSGAN generator loss: fake pushed to 1."""
    return (fake_logits - 1.0).pow(2).mean()


__all__ = [
    "MaskedReconstructionLoss",
    "lsgan_discriminator_loss",
    "lsgan_generator_loss",
    "masked_l1",
    "speaker_discriminator_loss",
]
