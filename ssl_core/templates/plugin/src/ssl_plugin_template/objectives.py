"""Objectives of the template domain."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput


class AlignUniformLoss(EmbeddingObjective):
    """Alignment and uniformity on the hypersphere.

    Wang & Isola, "Understanding Contrastive Representation Learning through Alignment and
    Uniformity on the Hypersphere", ICML 2020 (arXiv:2005.10242)::

        L = E ||f(x) - f(y)||^alpha  +  w * mean_v log E_{i != j} exp(-t ||f(x_i) - f(x_j)||^2)

    with ``f`` L2-normalised. Uniformity couples samples of a batch (``batch_coupled``); it is
    computed per rank (not gathered across ranks).

    Args:
        alpha: exponent of the alignment term.
        t: temperature of the Gaussian potential.
        weight: weight of the uniformity term.
    """

    batch_coupled = True

    def __init__(self, alpha: float = 2.0, t: float = 2.0, weight: float = 1.0) -> None:
        super().__init__()
        if alpha <= 0 or t <= 0:
            raise ValueError(f"alpha and t must be > 0, got {alpha}, {t}")
        self.alpha, self.t, self.weight = alpha, t, weight

    def forward(self, *views: Tensor) -> ObjectiveOutput:
        """Loss over two or more ``(B, D)`` embeddings of the same samples."""
        if len(views) < 2 or views[0].shape[0] < 2:
            raise ValueError("need >= 2 views of >= 2 samples")
        z = [F.normalize(v.float(), dim=-1) for v in views]
        align = torch.stack([(z[0] - zi).norm(dim=-1).pow(self.alpha).mean() for zi in z[1:]]).mean()
        uniform = torch.stack([torch.pdist(zi).pow(2).mul(-self.t).exp().mean().log() for zi in z]).mean()
        loss = align + self.weight * uniform
        return ObjectiveOutput(loss, {"loss/align": align.detach(), "loss/uniform": uniform.detach()})
