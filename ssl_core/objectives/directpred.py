"""DirectPred: a linear predictor set directly from the feature correlation, not trained by gradient.

Tian, Chen, Ganguli, 2021, "Understanding Self-Supervised Learning Dynamics without Contrastive
Pairs", arXiv 2102.06810.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ssl_core import distributed
from ssl_core.objectives._checks import full_precision


def update_correlation(corr: Tensor, features: Tensor, rho: float) -> Tensor:
    """``F <- rho F + (1 - rho) E_B[f f^T]`` for a ``(B, D)`` batch of features (no gradient)."""
    f = features.detach().to(corr.dtype)
    return rho * corr + (1.0 - rho) * (f.T @ f) / f.shape[0]


def directpred_weight(corr: Tensor, eps: float) -> Tensor:
    """The DirectPred predictor ``W = U diag(p) U^T`` from ``F = U diag(s) U^T``.

    ``p_j = sqrt(s_j) / max_j sqrt(s_j) + eps`` (negative eigenvalues from round-off are clipped to 0).
    Computed in float64 and returned in ``corr``'s dtype.
    """
    s, u = torch.linalg.eigh(corr.double())
    root = s.clamp(min=0.0).sqrt()
    p = root / root.max().clamp(min=torch.finfo(torch.float64).tiny) + eps
    return ((u * p) @ u.T).to(corr.dtype)


class DirectPredPredictor(nn.Module):
    """Linear BYOL / SimSiam predictor ``p = W f`` with ``W`` set from the running correlation ``F``.

    In training mode each call first updates ``F <- rho F + (1 - rho) E[f f^T]`` (averaged over ranks so
    replicas stay identical) and, every ``update_every`` calls, sets ``W = U diag(p) U^T`` with
    ``p_j = sqrt(s_j) / max sqrt(s) + eps``. ``F`` and ``W`` are buffers, so they checkpoint and are
    never trained; gradients flow through ``f`` only. ``W`` starts as the identity.

    Args:
        dim: feature width ``D``.
        rho: correlation decay (0.3 in the paper).
        eps: boost of weak directions (0.1 in the paper).
        update_every: recompute ``W`` every this many training calls.

    Raises:
        ValueError: on ``dim < 1``, ``rho`` outside ``[0, 1)``, ``eps < 0`` or ``update_every < 1``.
    """

    corr: Tensor
    weight: Tensor
    calls: Tensor

    def __init__(self, dim: int, rho: float = 0.3, eps: float = 0.1, update_every: int = 1) -> None:
        super().__init__()
        if dim < 1 or not 0.0 <= rho < 1.0 or eps < 0 or update_every < 1:
            raise ValueError(
                "DirectPredPredictor: need dim >= 1, 0 <= rho < 1, eps >= 0, update_every >= 1; "
                f"got dim={dim}, rho={rho}, eps={eps}, update_every={update_every}"
            )
        self.dim, self.rho, self.eps, self.update_every = dim, float(rho), float(eps), update_every
        self.register_buffer("corr", torch.zeros(dim, dim))
        self.register_buffer("weight", torch.eye(dim))
        self.register_buffer("calls", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def update(self, features: Tensor) -> None:
        """Fold a ``(B, D)`` batch into ``F`` and refresh ``W`` when due."""
        with full_precision(features.device):
            self.corr.copy_(distributed.all_reduce_mean(update_correlation(self.corr, features, self.rho)))
            self.calls += 1
            if int(self.calls) % self.update_every == 0:
                self.weight.copy_(directpred_weight(self.corr, self.eps))

    def forward(self, features: Tensor) -> Tensor:
        if features.shape[-1] != self.dim:
            raise ValueError(
                f"DirectPredPredictor: expected features of width {self.dim}, got {tuple(features.shape)}"
            )
        if self.training:
            self.update(features)
        return features @ self.weight.to(features.dtype).T

    def extra_repr(self) -> str:
        return f"dim={self.dim}, rho={self.rho}, eps={self.eps}, update_every={self.update_every}"
