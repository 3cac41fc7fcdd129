"""GenEVBattery's losses (Arunan et al., IEEE TII 2025), following SimMTM (Dong et al., NeurIPS 2023).

The batch holds ``B`` originals followed by their ``B * K`` masked copies, ordered
``[x_1..x_B, m^1_1..m^1_B, ..., m^K_1..m^K_B]``, so row ``i`` belongs to snippet ``i mod B``.

* :class:`MultiPositiveContrastive`: ``S`` the cosine similarities of the snippet vectors; row ``i``'s
  logits are ``S_ij / tau`` over ``j != i``; its positives are the other rows of the same snippet
  (the original and its masked copies). As SimMTM's ``ContrastiveWeight``, the loss is
  ``KLDiv(log_softmax(logits), target)`` with mass 1 on every positive, averaged over rows
  (``-1/N sum_i sum_{j in P(i)} log p_ij``).
* :class:`SimilarityWeightedReconstruction`: weights ``W = softmax_j(S_ij / tau - 1e12 [i = j])``,
  aggregated point-wise features ``H~_i = sum_j W_ij H_j``, decoded and compared (MSE) with the
  originals (rows ``0..B-1``).
* The combination is the core's :class:`ssl_core.objectives.UncertaintyWeighting` (learned sigma_k).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.objectives import UncertaintyWeighting

__all__ = [
    "MultiPositiveContrastive",
    "SimilarityWeightedReconstruction",
    "UncertaintyWeighting",
    "cosine_matrix",
    "positive_mask",
]

SELF_PENALTY = 1e12


def cosine_matrix(s: Tensor) -> Tensor:
    """``(N, N)`` cosine similarities of the rows of ``s``."""
    z = F.normalize(s, dim=1)
    return z @ z.T


def positive_mask(n: int, batch: int, device: torch.device | None = None) -> Tensor:
    """``(N, N)`` bool: ``i != j`` and rows ``i``, ``j`` are views of the same snippet (``i = j mod B``)."""
    idx = torch.arange(n, device=device) % batch
    same = idx.unsqueeze(0) == idx.unsqueeze(1)
    return same & ~torch.eye(n, dtype=torch.bool, device=device)


class MultiPositiveContrastive(Objective):
    """Multi-positive snippet-wise InfoNCE of SimMTM / GenEV over ``(N, D)`` snippet vectors.

    ``forward(s)``: ``s`` holds ``N = B (K + 1)`` rows ordered as the module docstring says.

    Args:
        num_views: masked copies per snippet K (SimMTM default 3).
        tau: temperature (SimMTM default 0.2).
    """

    batch_coupled = True

    def __init__(self, num_views: int = 3, tau: float = 0.2) -> None:
        super().__init__()
        self.num_views, self.tau = num_views, tau

    def forward(self, s: Tensor) -> ObjectiveOutput:  # type: ignore[override]
        n = s.shape[0]
        if n % (self.num_views + 1):
            raise ValueError(f"MultiPositiveContrastive: {n} rows are not {self.num_views + 1} equal groups")
        batch = n // (self.num_views + 1)
        sim = cosine_matrix(s) / self.tau
        off = ~torch.eye(n, dtype=torch.bool, device=s.device)
        logp = F.log_softmax(sim.masked_fill(~off, float("-inf")), dim=1)
        pos = positive_mask(n, batch, s.device)
        loss = -(logp.masked_fill(~pos, 0.0)).sum() / n
        return ObjectiveOutput(loss, {"loss/contrastive": loss.detach()})


class SimilarityWeightedReconstruction(Objective):
    """SimMTM's series-wise similarity aggregation + decoding, MSE on the originals.

    ``forward(s, tokens, target)``: snippet vectors ``(N, P)``, point-wise features ``(N, T, D)``,
    the originals ``(B, T, C)`` (rows ``0..B-1`` of the batch) in the units the head predicts.

    Args:
        head: maps ``(B, T, D)`` to ``(B, T, C)`` (trained with the loss).
        tau: temperature of the aggregation weights.
    """

    batch_coupled = True

    def __init__(self, head: nn.Module, tau: float = 0.2) -> None:
        super().__init__()
        self.head, self.tau = head, tau

    def weights(self, s: Tensor) -> Tensor:
        """``softmax_j(S_ij / tau - 1e12 [i = j])``."""
        n = s.shape[0]
        eye = torch.eye(n, dtype=s.dtype, device=s.device)
        return torch.softmax(cosine_matrix(s) / self.tau - SELF_PENALTY * eye, dim=1)

    def forward(self, s: Tensor, tokens: Tensor, target: Tensor) -> ObjectiveOutput:  # type: ignore[override]
        batch = target.shape[0]
        w = self.weights(s)[:batch]
        agg = (w @ tokens.flatten(1)).view(batch, *tokens.shape[1:])
        loss = F.mse_loss(self.head(agg), target)
        return ObjectiveOutput(loss, {"loss/reconstruction": loss.detach()})
