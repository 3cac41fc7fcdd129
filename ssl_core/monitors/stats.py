"""Label-free embedding statistics: per-dimension std, alignment and uniformity.

* Per-dimension std of L2-normalised embeddings (SimSiam, Chen & He 2021): collapse drives it to 0;
  a healthy isotropic embedding has about ``1 / sqrt(D)``.
* Alignment and uniformity (Wang & Isola, ICML 2020): ``E ||f(x) - f(y)||^alpha`` over positive
  pairs and ``log E exp(-t ||f(x) - f(y)||^2)`` over all pairs, on the unit hypersphere.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.monitors.rankme import rankme


def feature_std(z: Tensor) -> float:
    """Mean over dimensions of the std over samples of the L2-normalised embeddings ``z`` (N, D)."""
    zn = F.normalize(z.detach().float(), dim=1)
    return float(zn.std(dim=0, unbiased=False).mean())


def alignment_tensor(z1: Tensor, z2: Tensor, alpha: float = 2.0) -> Tensor:
    """:func:`alignment` as a 0-dim tensor on ``z1``'s device (no host synchronisation)."""
    a = F.normalize(z1.detach().float(), dim=1)
    b = F.normalize(z2.detach().float(), dim=1)
    return (a - b).norm(dim=1).pow(alpha).mean()


def alignment(z1: Tensor, z2: Tensor, alpha: float = 2.0) -> float:
    """Wang & Isola alignment: mean ``||z1_i - z2_i||^alpha`` of the normalised positive pairs."""
    return float(alignment_tensor(z1, z2, alpha))


def uniformity_tensor(z: Tensor, t: float = 2.0) -> Tensor:
    """:func:`uniformity` as a 0-dim tensor on ``z``'s device (no host synchronisation)."""
    zn = F.normalize(z.detach().float(), dim=1)
    sq = torch.pdist(zn, p=2).pow(2)
    return sq.mul(-t).exp().mean().log()


def uniformity(z: Tensor, t: float = 2.0) -> float:
    """Wang & Isola uniformity: ``log mean_{i<j} exp(-t ||z_i - z_j||^2)`` of normalised rows."""
    return float(uniformity_tensor(z, t))


def label_free_metrics(embeddings: Tensor) -> dict[str, float]:
    """The engine's label-free monitors: ``monitor/rankme`` and ``monitor/std`` (NaN for non-finite
    embeddings: the non-finite guard, not a monitor, decides what happens to such a run)."""
    if not bool(torch.isfinite(embeddings).all()):
        return {"monitor/rankme": float("nan"), "monitor/std": float("nan")}
    return {"monitor/rankme": rankme(embeddings), "monitor/std": feature_std(embeddings)}
