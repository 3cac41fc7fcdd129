"""BYOL / SimSiam negative-cosine loss with an MLP or DirectPred predictor.

Grill, Strub, Altche et al., 2020, "Bootstrap Your Own Latent", arXiv 2006.07733; Chen & He, 2021,
"Exploring Simple Siamese Representation Learning" (SimSiam), arXiv 2011.10566.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.nn.mlp import MLP, Norm
from ssl_core.objectives._checks import check_views, detached_metrics
from ssl_core.objectives.directpred import DirectPredPredictor


def negative_cosine(p: Tensor, z: Tensor) -> Tensor:
    """``2 - 2 cos(p, sg(z))`` averaged over rows (the normalised MSE of BYOL)."""
    return 2.0 - 2.0 * F.cosine_similarity(p, z.detach(), dim=-1).mean()


class MLPPredictor(MLP):
    """BYOL's predictor ``D -> hidden -> D`` (Linear, BatchNorm, ReLU, Linear), trained by gradient.

    Args:
        dim: embedding width.
        hidden_dim: hidden width (4096 in BYOL, a 512 bottleneck in SimSiam).
        norm: hidden normalisation.
    """

    def __init__(self, dim: int, hidden_dim: int = 4096, norm: Norm = "batch") -> None:
        super().__init__([dim, hidden_dim, dim], norm=norm, act="relu")


class BYOLLoss(EmbeddingObjective):
    """Symmetrised ``2 - 2 cos(q(z_i), sg(t_j))`` over ordered view pairs ``i != j``.

    ``q`` is the predictor (an :class:`MLPPredictor`, a :class:`DirectPredPredictor` or ``None`` for the
    identity) applied to the online projections ``z``; the targets ``t`` are the EMA teacher's
    projections (BYOL) passed as ``targets=``, or, when omitted, the stop-gradient online projections
    themselves (SimSiam). For two views::

        L = 1/2 [ (2 - 2 cos(q(z_1), sg(t_2))) + (2 - 2 cos(q(z_2), sg(t_1))) ].

    A DirectPred predictor sees all views at once, so its correlation is updated once per step.

    Args:
        predictor: module mapping ``(B, D) -> (B, D)``; ``None`` means identity.
    """

    needs_teacher = True

    def __init__(self, predictor: nn.Module | None = None) -> None:
        super().__init__()
        self.predictor = predictor if predictor is not None else nn.Identity()

    def _predict(self, views: Sequence[Tensor]) -> list[Tensor]:
        if isinstance(self.predictor, DirectPredPredictor):
            return list(self.predictor(torch.cat(list(views))).split(views[0].shape[0]))
        return [self.predictor(v) for v in views]

    def forward(self, *views: Tensor, targets: Sequence[Tensor] | None = None) -> ObjectiveOutput:
        check_views("BYOLLoss", views)
        targets = views if targets is None else tuple(targets)
        check_views("BYOLLoss targets", targets, exactly=len(views))
        if targets[0].shape != views[0].shape:
            raise ValueError(
                f"BYOLLoss: targets have shape {tuple(targets[0].shape)}, views {tuple(views[0].shape)}"
            )
        preds = self._predict(views)
        pairs = [(i, j) for i in range(len(views)) for j in range(len(views)) if i != j]
        loss = torch.stack([negative_cosine(preds[i], targets[j]) for i, j in pairs]).mean()
        return ObjectiveOutput(loss, detached_metrics(**{"byol/loss": loss}))
