"""CLIP symmetric InfoNCE with a learnable, clamped temperature.

Radford, Kim, Hallacy et al., 2021, "Learning Transferable Visual Models From Natural Language
Supervision", arXiv 2103.00020.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.objectives._checks import check_views, detached_metrics, full_precision, gather_rows, upcast


def clip_loss(a: Tensor, b: Tensor, a_all: Tensor, b_all: Tensor, offset: int, scale: Tensor) -> Tensor:
    """``0.5 * [CE(s a b_all^T, y) + CE(s b a_all^T, y)]`` on L2-normalised local rows, ``y = offset + i``."""
    labels = offset + torch.arange(a.shape[0], device=a.device)
    return 0.5 * (F.cross_entropy(scale * a @ b_all.T, labels) + F.cross_entropy(scale * b @ a_all.T, labels))


class CLIPLoss(EmbeddingObjective):
    """Symmetric InfoNCE between two paired modalities (or views).

    With L2-normalised ``a_i``, ``b_j`` and ``logits = e^t a b^T``::

        L = 1/2 [ CE(logits, arange(N)) + CE(logits^T, arange(N)) ],

    ``t`` learnable, initialised at ``log(1 / 0.07)``, and ``e^t`` clamped at 100. Negatives are the
    other pairs of the global batch (gathered across ranks with gradients).

    Args:
        init_temperature: initial temperature (``e^t = 1 / init_temperature``).
        max_scale: clamp of the logit scale ``e^t``.
        learnable: whether ``t`` is trained (otherwise a buffer).
        gather_distributed: gather the other ranks' pairs when a process group exists.

    Raises:
        ValueError: if ``init_temperature <= 0`` or ``max_scale <= 0``.
    """

    batch_coupled = True

    def __init__(
        self,
        init_temperature: float = 0.07,
        max_scale: float = 100.0,
        learnable: bool = True,
        gather_distributed: bool = True,
    ) -> None:
        super().__init__()
        if not init_temperature > 0 or not max_scale > 0:
            raise ValueError(
                f"CLIPLoss: init_temperature and max_scale must be > 0, got {init_temperature}, {max_scale}"
            )
        log_scale = torch.tensor(math.log(1.0 / init_temperature))
        if learnable:
            self.logit_scale = nn.Parameter(log_scale)
        else:
            self.register_buffer("logit_scale", log_scale)
        self.max_scale = float(max_scale)
        self.gather_distributed = gather_distributed

    def forward(self, *views: Tensor) -> ObjectiveOutput:
        check_views("CLIPLoss", views, exactly=2)
        with full_precision(views[0].device):
            return self._loss(*upcast(views))

    def _loss(self, *views: Tensor) -> ObjectiveOutput:
        a, b = (F.normalize(v, dim=-1) for v in views)
        a_all, offset = gather_rows(a, self.gather_distributed)
        b_all, _ = gather_rows(b, self.gather_distributed)
        scale = self.logit_scale.exp().clamp(max=self.max_scale)
        loss = clip_loss(a, b, a_all, b_all, offset, scale)
        with torch.no_grad():
            hits = (a @ b_all.T).argmax(dim=1) == offset + torch.arange(a.shape[0], device=a.device)
        return ObjectiveOutput(
            loss,
            detached_metrics(**{"clip/loss": loss, "clip/acc": hits.float().mean(), "clip/scale": scale}),
        )
