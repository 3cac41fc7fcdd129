"""ST-SSDL's losses (Gao et al., NeurIPS 2025, arXiv 2510.04908; official ``train_STSSDL.py``).

``L = MAE_masked(y_hat, y) + lambda_c * L_c + lambda_d * L_d`` where

* ``MAE_masked`` is on the original scale and ignores labels ``<= 1e-3`` (missing readings),
  renormalised by the share of valid labels (DCRNN convention);
* ``L_c`` is the triplet loss (margin 0.5) between the *stop-gradient* query and its top-1 (positive)
  and top-2 (negative) prototypes of the current window;
* ``L_d`` is the deviation loss ``| sg(||q_t - q_a||_1) - ||p_t - p_a||_1 |`` between the current
  window and its history-average anchor.

As in the official code both SSL losses detach the query side, so they shape only the prototypes;
the encoder and ``W_q`` learn through the forecast loss.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import Objective, ObjectiveOutput
from ssl_core.nn import masked_mean

__all__ = [
    "MISSING_THRESHOLD",
    "valid_mask",
    "masked_mae",
    "masked_rmse",
    "masked_mape",
    "PrototypeTripletLoss",
    "DeviationLoss",
    "STSSDLObjective",
]

MISSING_THRESHOLD = 1e-3
"""Labels at or below this value are missing readings and are masked."""


def valid_mask(target: Tensor) -> Tensor:
    """Boolean mask of valid (finite and ``> 1e-3``) labels."""
    return torch.isfinite(target) & (target > MISSING_THRESHOLD)


def masked_mae(pred: Tensor, target: Tensor) -> Tensor:
    """Mean absolute error over valid labels (original scale)."""
    return masked_mean((pred - target).abs(), valid_mask(target))


def masked_rmse(pred: Tensor, target: Tensor) -> Tensor:
    """Root mean squared error over valid labels."""
    return masked_mean((pred - target).square(), valid_mask(target)).sqrt()


def masked_mape(pred: Tensor, target: Tensor) -> Tensor:
    """Mean absolute percentage error (a fraction) over valid labels (never divides by ~0)."""
    mask = valid_mask(target)
    safe = torch.where(mask, target, torch.ones_like(target))
    return masked_mean(((pred - target) / safe).abs(), mask)


class PrototypeTripletLoss(Objective):
    """``mean max(0, ||sg(q) - p+||_2 - ||sg(q) - p-||_2 + margin)`` over (sample, node)."""

    def __init__(self, margin: float = 0.5) -> None:
        super().__init__()
        self.margin = margin

    def forward(self, query: Tensor, pos: Tensor, neg: Tensor) -> ObjectiveOutput:
        loss = F.triplet_margin_loss(query.detach(), pos, neg, margin=self.margin)
        return ObjectiveOutput(loss, {"l_c": loss.detach()})


class DeviationLoss(Objective):
    """``mean | sg(||q_t - q_a||_1) - ||p_t - p_a||_1 |`` over (sample, node)."""

    def forward(self, query: Tensor, query_his: Tensor, pos: Tensor, pos_his: Tensor) -> ObjectiveOutput:
        latent = (query - query_his).abs().sum(dim=-1)
        prototype = (pos - pos_his).abs().sum(dim=-1)
        loss = F.l1_loss(prototype, latent.detach())
        return ObjectiveOutput(loss, {"l_d": loss.detach()})


class STSSDLObjective(Objective):
    """Forecast MAE plus the weighted triplet and deviation losses (weights 0 = no-SSL ablation)."""

    def __init__(self, lambda_c: float = 0.01, lambda_d: float = 1.0, margin: float = 0.5) -> None:
        super().__init__()
        self.lambda_c, self.lambda_d = lambda_c, lambda_d
        self.triplet = PrototypeTripletLoss(margin)
        self.deviation = DeviationLoss()

    def forward(
        self,
        pred: Tensor,
        target: Tensor,
        query: Tensor,
        pos: Tensor,
        neg: Tensor,
        query_his: Tensor | None = None,
        pos_his: Tensor | None = None,
    ) -> ObjectiveOutput:
        """``pred``/``target`` on the original scale; memory read-outs from :class:`STSSDLNet`."""
        mae = masked_mae(pred, target)
        metrics = {"mae": mae.detach()}
        loss = mae
        if self.lambda_c > 0:
            out_c = self.triplet(query, pos, neg)
            loss = loss + self.lambda_c * out_c.loss
            metrics.update(out_c.metrics)
        if self.lambda_d > 0 and query_his is not None and pos_his is not None:
            out_d = self.deviation(query, query_his, pos, pos_his)
            loss = loss + self.lambda_d * out_d.loss
            metrics.update(out_d.metrics)
        metrics.setdefault("l_c", torch.zeros(()))
        metrics.setdefault("l_d", torch.zeros(()))
        return ObjectiveOutput(loss, metrics)
