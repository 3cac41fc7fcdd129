"""Masked reconstruction: loss on masked positions only (MAE / TERA style).

He, Chen, Xie, Li, Dollar, Girshick, 2022, "Masked Autoencoders Are Scalable Vision Learners",
arXiv 2111.06377 (per-patch normalised targets); Liu, Li, Lee, 2021, "TERA: Self-Supervised Learning
of Transformer Encoder Representation for Speech", arXiv 2007.06028 (L1 on altered positions).
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.nn.sequence import masked_mean
from ssl_core.objectives._checks import detached_metrics


def normalise_patches(target: Tensor, eps: float = 1e-6) -> Tensor:
    """Standardise each token's features: ``(x - mean_F) / sqrt(Var_F + eps)`` (biased variance)."""
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True, unbiased=False)
    return (target - mean) / (var + eps).sqrt()


class MaskedReconstructionLoss(Objective):
    """``L = sum_{m=1} |y_hat - y|^p / #masked`` over masked positions only (``p = 1`` L1, ``p = 2`` MSE).

    Predictions and targets are ``(B, T, F)``; the mask is ``(B, T)`` (whole tokens) or ``(B, T, F)``
    (individual entries, e.g. TERA's frequency band), nonzero where the loss applies. With
    ``norm_targets`` each target token is standardised over its features first (MAE). The loss is
    :func:`ssl_core.nn.sequence.masked_mean` of the errors over the selected entries (each selected
    entry counts once; 0 when nothing is selected). Unmasked positions receive exactly zero
    gradient. The target is never differentiated.

    Args:
        loss: ``"l1"`` (TERA) or ``"mse"`` (MAE).
        norm_targets: per-token normalised targets.
        eps: variance floor of the target normalisation.

    Raises:
        ValueError: on an unknown loss kind, or (in ``forward``) mismatched shapes.
    """

    def __init__(
        self, loss: Literal["l1", "mse"] = "l1", norm_targets: bool = False, eps: float = 1e-6
    ) -> None:
        super().__init__()
        if loss not in ("l1", "mse"):
            raise ValueError(f"MaskedReconstructionLoss: loss must be 'l1' or 'mse', got {loss!r}")
        self.loss, self.norm_targets, self.eps = loss, norm_targets, eps

    def forward(self, pred: Tensor, target: Tensor, mask: Tensor) -> ObjectiveOutput:
        if pred.dim() != 3 or pred.shape != target.shape:
            raise ValueError(
                f"MaskedReconstructionLoss: pred and target must both be (B, T, F), got {tuple(pred.shape)} "
                f"and {tuple(target.shape)}"
            )
        if mask.shape not in (pred.shape, pred.shape[:2]):
            raise ValueError(
                f"MaskedReconstructionLoss: mask must be (B, T) or (B, T, F) = {tuple(pred.shape)}, got {tuple(mask.shape)}"
            )
        target = target.detach()
        if self.norm_targets:
            target = normalise_patches(target, self.eps)
        diff = pred - target
        errors = diff.abs() if self.loss == "l1" else diff.pow(2)
        selected = mask != 0
        loss = masked_mean(errors, selected)  # mean over the selected entries, 0 when none is
        frac = selected.to(torch.float32).mean()
        return ObjectiveOutput(
            loss, detached_metrics(**{f"recon/{self.loss}": loss, "recon/masked_frac": frac})
        )

    def extra_repr(self) -> str:
        return f"loss={self.loss!r}, norm_targets={self.norm_targets}"
