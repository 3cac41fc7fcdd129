"""RankMe: the effective rank of embeddings (Garrido, Balestriero, Najman, LeCun; ICML 2023).

RankMe(Z) = exp(-sum_k p_k log p_k) with p_k = s_k / ||s||_1 + 1e-7 and s the singular values of
Z (N x D). It lies in [1, min(N, D)]; a falling RankMe signals dimensional collapse. Compute it on
the encoder output (not the projector), ideally with N >> D samples.
"""

from __future__ import annotations

import torch
from torch import Tensor

EPS = 1e-7


def rankme(z: Tensor, eps: float = EPS) -> float:
    """Effective rank of ``z`` (N, D) from its singular values (computed in float64)."""
    if z.ndim != 2:
        raise ValueError(f"rankme expects a (N, D) matrix, got shape {tuple(z.shape)}")
    s = torch.linalg.svdvals(z.detach().to(torch.float64))
    total = s.sum()
    if total <= 0:
        return 1.0
    p = s / total + eps
    return float(torch.exp(-(p * p.log()).sum()))
