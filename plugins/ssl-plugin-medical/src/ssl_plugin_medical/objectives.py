"""Uni4Eye's loss: ``L = L_img + lambda * L_grad``, each a per-patch MSE over the masked patches only.

Cai et al., "Uni4Eye", MICCAI 2022 (arXiv 2203.04614), eq. (1)-(3): the image branch regresses the
masked patches' pixels, the gradient branch their Sobel gradient map
(:mod:`ssl_plugin_medical.gradients`); each term is MAE's loss (He et al., 2022)
``sum_i m_i * mean_j (pred_ij - target_ij)^2 / sum_i m_i`` over patches ``i`` with ``m_i = 1`` where
masked. ``norm_pix`` (MAE's ``norm_pix_loss``) optionally normalises each target patch by its own
mean and standard deviation (pixel branch only, as in the code).
"""

from __future__ import annotations

from torch import Tensor

from ssl_core.interfaces import Objective, ObjectiveOutput


def masked_patch_mse(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """``sum_i m_i * mean_j (pred_ij - target_ij)^2 / sum_i m_i`` over ``(B, L, P)`` patches, ``(B, L)`` mask."""
    per_patch = (pred - target).pow(2).mean(dim=-1)
    m = mask.to(per_patch.dtype)
    return (per_patch * m).sum() / m.sum().clamp(min=1.0)


def normalise_patches(target: Tensor, eps: float = 1e-6) -> Tensor:
    """Each ``(..., P)`` patch minus its mean, over its (unbiased) standard deviation (MAE's norm_pix_loss)."""
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    return (target - mean) / (var + eps).sqrt()


class DualBranchLoss(Objective):
    """``L_img + grad_weight * L_grad`` (``grad_weight = 0``: MAE with the pixel branch only).

    ``forward(pred_img, target_img, pred_grad, target_grad, mask)`` with ``(B, L, P)`` patches and a
    ``(B, L)`` mask (1 = masked). Metrics: ``img`` and ``grad`` (the two unweighted terms).
    """

    def __init__(self, grad_weight: float = 1.0, norm_pix: bool = False) -> None:
        super().__init__()
        if grad_weight < 0:
            raise ValueError(f"grad_weight must be >= 0, got {grad_weight}")
        self.grad_weight, self.norm_pix = float(grad_weight), bool(norm_pix)

    def forward(  # type: ignore[override]
        self, pred_img: Tensor, target_img: Tensor, pred_grad: Tensor, target_grad: Tensor, mask: Tensor
    ) -> ObjectiveOutput:
        if self.norm_pix:
            target_img = normalise_patches(target_img)
        l_img = masked_patch_mse(pred_img, target_img, mask)
        l_grad = masked_patch_mse(pred_grad, target_grad, mask)
        loss = l_img + self.grad_weight * l_grad if self.grad_weight > 0 else l_img + 0.0 * l_grad
        return ObjectiveOutput(loss, {"img": l_img.detach(), "grad": l_grad.detach()})
