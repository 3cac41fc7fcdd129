"""VICReg: variance-invariance-covariance regularisation.

Bardes, Ponce, LeCun, 2022, "VICReg: Variance-Invariance-Covariance Regularization for
Self-Supervised Learning", arXiv 2105.04906.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.objectives._checks import check_views, detached_metrics, full_precision, gather_rows, upcast


def variance_term(z: Tensor, gamma: float = 1.0, eps: float = 1e-4) -> Tensor:
    """``mean_j relu(gamma - sqrt(Var(z_:j) + eps))`` with the unbiased batch variance."""
    std = (z.var(dim=0) + eps).sqrt()
    return F.relu(gamma - std).mean()


def covariance_term(z: Tensor) -> Tensor:
    """``sum_{i != j} C(z)_ij^2 / D`` with ``C`` the unbiased batch covariance."""
    centred = z - z.mean(dim=0)
    cov = centred.T @ centred / (z.shape[0] - 1)
    off = cov - cov.diagonal().diag()
    return off.pow(2).sum() / z.shape[1]


class VICRegLoss(EmbeddingObjective):
    """``L = lambda s(z, z') + mu [v(z) + v(z')] + nu [c(z) + c(z')]`` for two views.

    ``s`` is the mean squared error, ``v(z) = mean_j relu(gamma - sqrt(Var z_j + eps))`` and
    ``c(z) = sum_{i != j} Cov(z)_ij^2 / D``. The variance and covariance use the *global* batch: the
    views are gathered across ranks with gradients, so on ``N`` ranks the statistics are exactly those
    of one process (the invariance term is per-sample, averaged locally).

    Args:
        lambda_: invariance weight (25).
        mu: variance weight (25).
        nu: covariance weight (1).
        gamma: target standard deviation (1).
        eps: numerical floor inside the square root (1e-4).
        gather_distributed: gather views across ranks for the batch statistics.

    Raises:
        ValueError: on negative weights or ``eps <= 0``.
    """

    batch_coupled = True

    def __init__(
        self,
        lambda_: float = 25.0,
        mu: float = 25.0,
        nu: float = 1.0,
        gamma: float = 1.0,
        eps: float = 1e-4,
        gather_distributed: bool = True,
    ) -> None:
        super().__init__()
        if min(lambda_, mu, nu) < 0 or not eps > 0:
            raise ValueError(
                f"VICRegLoss: weights must be >= 0 and eps > 0, got {lambda_}, {mu}, {nu}, eps={eps}"
            )
        self.lambda_, self.mu, self.nu, self.gamma, self.eps = lambda_, mu, nu, gamma, eps
        self.gather_distributed = gather_distributed

    def forward(self, *views: Tensor) -> ObjectiveOutput:
        check_views("VICRegLoss", views, exactly=2)
        with full_precision(views[0].device):
            return self._loss(*upcast(views))

    def _loss(self, *views: Tensor) -> ObjectiveOutput:
        z1, z2 = views
        invariance = F.mse_loss(z1, z2)
        g1, _ = gather_rows(z1, self.gather_distributed)
        g2, _ = gather_rows(z2, self.gather_distributed)
        if g1.shape[0] < 2:
            raise ValueError("VICRegLoss: the (global) batch needs at least 2 rows for variance statistics")
        variance = variance_term(g1, self.gamma, self.eps) + variance_term(g2, self.gamma, self.eps)
        covariance = covariance_term(g1) + covariance_term(g2)
        loss = self.lambda_ * invariance + self.mu * variance + self.nu * covariance
        return ObjectiveOutput(
            loss,
            detached_metrics(
                **{
                    "vicreg/loss": loss,
                    "vicreg/invariance": invariance,
                    "vicreg/variance": variance,
                    "vicreg/covariance": covariance,
                }
            ),
        )

    def extra_repr(self) -> str:
        return f"lambda_={self.lambda_}, mu={self.mu}, nu={self.nu}, gamma={self.gamma}, eps={self.eps}"
