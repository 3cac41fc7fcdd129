"""JEPA latent-prediction loss: MSE between predicted and stop-gradient teacher target latents.

Assran et al., 2023, I-JEPA, arXiv 2301.08243; Thimonier et al., 2025, T-JEPA, arXiv 2410.05016.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.objectives._checks import detached_metrics


def as_sets(x: Tensor | Sequence[Tensor]) -> list[Tensor]:
    """A list of target sets from one tensor or a sequence of tensors."""
    return [x] if isinstance(x, Tensor) else list(x)


class JEPALoss(Objective):
    """``L = 1/S sum_s MSE(pred_s, sg(target_s))`` over ``S`` target sets.

    ``pred_s`` is the predictor's output for target set ``s`` and ``target_s`` the EMA teacher's
    latents gathered at the same positions (any matching shapes, e.g. ``(B, Nt, H)``). Pass one tensor
    or a sequence of tensors (one per target set; sizes may differ between sets).
    """

    needs_teacher = True

    def forward(self, pred: Tensor | Sequence[Tensor], target: Tensor | Sequence[Tensor]) -> ObjectiveOutput:
        preds, targets = as_sets(pred), as_sets(target)
        if not preds or len(preds) != len(targets):
            raise ValueError(f"JEPALoss: got {len(preds)} prediction sets and {len(targets)} target sets")
        for p, t in zip(preds, targets):
            if p.shape != t.shape:
                raise ValueError(f"JEPALoss: prediction {tuple(p.shape)} and target {tuple(t.shape)} differ")
        loss = torch.stack([F.mse_loss(p, t.detach()) for p, t in zip(preds, targets)]).mean()
        return ObjectiveOutput(loss, detached_metrics(**{"jepa/loss": loss}))
