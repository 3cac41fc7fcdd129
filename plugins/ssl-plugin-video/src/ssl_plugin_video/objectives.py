"""The losses of Kim et al. (AAAI 2021).

* :class:`MaskedAnswerContrastive`: ``L_con = -log exp(s(h~_gt, h_gt)/tau) / sum_k exp(s(h~_gt, h_k)/tau)``
  with ``s`` the cosine similarity, ``h~_gt`` the masked ground-truth input's representation and
  ``h_k`` the clean representations of the options (the ground truth is the positive).
* :class:`QuestionPredictionLoss`: cross-entropy over the question candidates (the true one first).
* :class:`SpanLocalisationLoss`: the temporal localisation head's loss, cross-entropy of the start and
  of the end bin over the clip's valid bins (as in TVQA+'s STAGE), averaged over items with a span.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import Objective, ObjectiveOutput


class MaskedAnswerContrastive(Objective):
    """``forward(z_masked (B, H), z_options (B, O, H), answer (B,))`` -> mean ``L_con``."""

    batch_coupled = False

    def __init__(self, tau: float = 0.1) -> None:
        super().__init__()
        self.tau = tau

    def forward(self, z_masked: Tensor, z_options: Tensor, answer: Tensor) -> ObjectiveOutput:
        sim = F.cosine_similarity(z_masked[:, None], z_options, dim=-1) / self.tau  # (B, O)
        loss = F.cross_entropy(sim, answer)
        acc = (sim.argmax(1) == answer).float().mean()
        return ObjectiveOutput(loss, {"loss/con": loss.detach(), "acc/con": acc.detach()})


class QuestionPredictionLoss(Objective):
    """``forward(scores (B, n))`` with the true question in column 0 -> cross-entropy."""

    def forward(self, scores: Tensor) -> ObjectiveOutput:
        target = torch.zeros(scores.shape[0], dtype=torch.long, device=scores.device)
        loss = F.cross_entropy(scores, target)
        acc = (scores.argmax(1) == 0).float().mean()
        return ObjectiveOutput(loss, {"loss/qp": loss.detach(), "acc/qp": acc.detach()})


class SpanLocalisationLoss(Objective):
    """``forward(logits (B, T, 2), span (B, 2))``: start / end cross-entropy; rows with ``span < 0`` are skipped.

    The logits of invalid bins must already be very negative (the encoder masks them).
    """

    def forward(self, logits: Tensor, span: Tensor) -> ObjectiveOutput:
        keep = span[:, 0] >= 0
        if not bool(keep.any()):
            zero = logits.sum() * 0.0
            return ObjectiveOutput(zero, {"loss/loc": zero.detach()})
        lg, sp = logits[keep], span[keep]
        loss = 0.5 * (F.cross_entropy(lg[..., 0], sp[:, 0]) + F.cross_entropy(lg[..., 1], sp[:, 1]))
        return ObjectiveOutput(loss, {"loss/loc": loss.detach()})
