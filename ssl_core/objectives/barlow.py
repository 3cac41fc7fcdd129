"""Barlow Twins: redundancy reduction on the cross-correlation of two views.

Zbontar, Jing, Misra, LeCun, Deny, 2021, "Barlow Twins: Self-Supervised Learning via Redundancy
Reduction", arXiv 2103.03230.
"""

from __future__ import annotations

from torch import Tensor

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.objectives._checks import check_views, detached_metrics, full_precision, gather_rows, upcast


def batch_standardise(z: Tensor, eps: float = 1e-5) -> Tensor:
    """Per-dimension ``(z - mean) / sqrt(Var_biased + eps)`` over the batch (``BatchNorm1d(affine=False)``)."""
    return (z - z.mean(dim=0)) / (z.var(dim=0, unbiased=False) + eps).sqrt()


def cross_correlation(z1: Tensor, z2: Tensor, eps: float = 1e-5) -> Tensor:
    """``C_ij = sum_b zhat1_bi zhat2_bj / N`` of the batch-standardised views."""
    return batch_standardise(z1, eps).T @ batch_standardise(z2, eps) / z1.shape[0]


def barlow_twins_loss(c: Tensor, lambda_: float) -> tuple[Tensor, Tensor]:
    """``(sum_i (1 - C_ii)^2, sum_{i != j} C_ij^2)``; the loss is ``on + lambda_ * off``."""
    diag = c.diagonal()
    on = (1.0 - diag).pow(2).sum()
    off = c.pow(2).sum() - diag.pow(2).sum()
    return on, off


class BarlowTwinsLoss(EmbeddingObjective):
    """``L = sum_i (1 - C_ii)^2 + lambda sum_{i != j} C_ij^2``.

    ``C`` is the cross-correlation of the batch-normalised views over the *global* batch (views are
    gathered across ranks with gradients; every rank then computes the same loss).

    Args:
        lambda_: off-diagonal weight (5e-3).
        eps: batch-norm epsilon (1e-5).
        gather_distributed: gather views across ranks.

    Raises:
        ValueError: if ``lambda_ < 0``.
    """

    batch_coupled = True

    def __init__(self, lambda_: float = 5e-3, eps: float = 1e-5, gather_distributed: bool = True) -> None:
        super().__init__()
        if lambda_ < 0:
            raise ValueError(f"BarlowTwinsLoss: lambda_ must be >= 0, got {lambda_}")
        self.lambda_, self.eps, self.gather_distributed = float(lambda_), float(eps), gather_distributed

    def forward(self, *views: Tensor) -> ObjectiveOutput:
        check_views("BarlowTwinsLoss", views, exactly=2)
        with full_precision(views[0].device):
            return self._loss(*upcast(views))

    def _loss(self, *views: Tensor) -> ObjectiveOutput:
        g1, _ = gather_rows(views[0], self.gather_distributed)
        g2, _ = gather_rows(views[1], self.gather_distributed)
        if g1.shape[0] < 2:
            raise ValueError(
                "BarlowTwinsLoss: the (global) batch needs at least 2 rows for batch normalisation"
            )
        on, off = barlow_twins_loss(cross_correlation(g1, g2, self.eps), self.lambda_)
        loss = on + self.lambda_ * off
        return ObjectiveOutput(
            loss, detached_metrics(**{"barlow/loss": loss, "barlow/on_diag": on, "barlow/off_diag": off})
        )

    def extra_repr(self) -> str:
        return f"lambda_={self.lambda_}, eps={self.eps}"
