"""NT-Xent / InfoNCE with multi-positive targets (SimCLR).

Chen, Kornblith, Norouzi, Hinton, 2020, "A Simple Framework for Contrastive Learning of Visual
Representations", arXiv 2002.05709; InfoNCE from van den Oord, Li, Vinyals, 2018, arXiv 1807.03748.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.objectives._checks import check_views, detached_metrics, full_precision, gather_rows, upcast


def multi_positive_ntxent(
    anchors: Tensor, candidates: Tensor, offset: int, temperature: float
) -> tuple[Tensor, Tensor]:
    """NT-Xent of local anchors against (gathered) candidates, every other view being a positive.

    Args:
        anchors: ``(V, B, D)`` local embeddings, view ``v`` of sample ``b`` at ``[v, b]``.
        candidates: ``(V, G, D)`` embeddings of the global batch (``G >= B``).
        offset: row of local sample 0 inside the global batch.
        temperature: softmax temperature ``tau``.

    Returns:
        ``(loss, accuracy)``: the mean of ``-log softmax`` over every (anchor, positive) pair, and the
        fraction of anchors whose most similar non-self candidate is one of its positives.
    """
    num_views, batch, dim = anchors.shape
    glob = candidates.shape[1]
    a = F.normalize(anchors, dim=-1).reshape(num_views * batch, dim)
    c = F.normalize(candidates, dim=-1).reshape(num_views * glob, dim)
    logits = a @ c.T / temperature
    sample = offset + torch.arange(batch, device=a.device)
    view = torch.arange(num_views, device=a.device)
    self_col = (view[:, None] * glob + sample[None, :]).reshape(-1)
    rows = torch.arange(num_views * batch, device=a.device)
    logits = logits.index_put(
        (rows, self_col), torch.tensor(float("-inf"), device=a.device, dtype=logits.dtype)
    )
    log_prob = logits - torch.logsumexp(logits, dim=1, keepdim=True)
    others = torch.stack([torch.cat([view[:v], view[v + 1 :]]) for v in range(num_views)])
    pos_col = (others[:, None, :] * glob + sample[None, :, None]).reshape(num_views * batch, num_views - 1)
    loss = -log_prob.gather(1, pos_col).mean()
    accuracy = (logits.argmax(dim=1) % glob == self_col % glob).float().mean()
    return loss, accuracy


class NTXentLoss(EmbeddingObjective):
    """Normalised temperature-scaled cross entropy over ``V >= 2`` views.

    With ``N = V * B`` L2-normalised embeddings ``z`` and ``s_ik = z_i . z_k / tau``, every other view of
    the same sample is a positive ``j``::

        l_ij = -log( exp(s_ij) / sum_{k != i} exp(s_ik) ),  L = mean over all (i, j) positive pairs.

    For ``V = 2`` this is SimCLR's loss averaged over both orders. Negatives are gathered across
    ranks with :func:`ssl_core.distributed.gather_with_grad`; each rank averages over its own anchors,
    so the mean over ranks equals the global-batch loss.

    Args:
        temperature: ``tau`` (0.5 for CIFAR-size batches, 0.1 for large ImageNet batches).
        gather_distributed: gather negatives from every rank when a process group exists.

    Raises:
        ValueError: if ``temperature <= 0``.
    """

    batch_coupled = True

    def __init__(self, temperature: float = 0.5, gather_distributed: bool = True) -> None:
        super().__init__()
        if not temperature > 0:
            raise ValueError(f"NTXentLoss: temperature must be > 0, got {temperature}")
        self.temperature = float(temperature)
        self.gather_distributed = gather_distributed

    def forward(self, *views: Tensor) -> ObjectiveOutput:
        check_views("NTXentLoss", views)
        with full_precision(views[0].device):
            return self._loss(*upcast(views))

    def _loss(self, *views: Tensor) -> ObjectiveOutput:
        anchors = torch.stack(views)
        gathered, offset = gather_rows(anchors.transpose(0, 1), self.gather_distributed)
        loss, accuracy = multi_positive_ntxent(anchors, gathered.transpose(0, 1), offset, self.temperature)
        return ObjectiveOutput(loss, detached_metrics(**{"ntxent/loss": loss, "ntxent/acc": accuracy}))

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, gather_distributed={self.gather_distributed}"
