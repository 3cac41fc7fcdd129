"""Fine-tune an encoder plus a linear head on a small labelled fraction (semi-supervised protocol).

The usual low-label evaluation of SSL representations (e.g. SimCLR's 1% / 10% ImageNet
fine-tuning, Chen et al. 2020; GenEV's 10% fine-tuning, Arunan et al. 2025): a copy of the
pre-trained encoder and a fresh head are trained end to end with Adam on ``fraction`` of the
labelled training set; the test metric is reported like :func:`~ssl_core.evaluation.linear_probe`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.evaluation.probes import Task, score_predictions
from ssl_core.interfaces import POOLED


class _WithHead(nn.Module):
    def __init__(self, encoder: nn.Module, head: nn.Module) -> None:
        super().__init__()
        self.encoder, self.head = encoder, head

    def forward(self, x: Tensor) -> Tensor:
        out = self.encoder(x)
        return self.head(out[POOLED] if isinstance(out, Mapping) else out)


def finetune(
    encoder: nn.Module,
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    test_y: Tensor,
    *,
    out_dim: int,
    task: Task = "classification",
    fraction: float = 0.1,
    epochs: int = 20,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    batch_size: int = 256,
    seed: int = 0,
) -> dict[str, float]:
    """Fine-tune a deep copy of ``encoder`` (``x -> (B, D)`` or ``{"pooled": ...}``) with a linear head.

    Args:
        encoder: module mapping an input tensor to embeddings; it is copied, never modified.
        train_x, train_y, test_x, test_y: inputs and labels (class indices or regression targets).
        out_dim: number of classes (or regression outputs).
        fraction: share of the training set that is labelled (sampled with ``seed``).

    Returns:
        ``{"acc"}`` for classification, ``{"rmse", "mae"}`` for regression, plus ``n_labelled``.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    if not 0.0 < fraction <= 1.0:
        raise ValueError(f"fraction must be in (0, 1], got {fraction}")
    gen = torch.Generator().manual_seed(seed)
    torch.manual_seed(seed)
    n_lab = max(1, round(fraction * len(train_x)))
    idx = torch.randperm(len(train_x), generator=gen)[:n_lab]
    enc = copy.deepcopy(encoder)
    with torch.no_grad():
        dim = int(_WithHead(enc, nn.Identity())(train_x[:2]).shape[-1])
    model = _WithHead(enc, nn.Linear(dim, out_dim)).train()
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    x_lab, y_lab = train_x[idx], train_y[idx]
    for _ in range(epochs):
        order = torch.randperm(n_lab, generator=gen)
        for start in range(0, n_lab, batch_size):
            b = order[start : start + batch_size]
            out = model(x_lab[b])
            if task == "classification":
                loss = F.cross_entropy(out, y_lab[b].long())
            else:
                loss = F.mse_loss(out, y_lab[b].float().reshape(len(b), -1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        out = torch.cat([model(test_x[s : s + batch_size]) for s in range(0, len(test_x), batch_size)])
    return {**score_predictions(out, test_y, task), "n_labelled": float(n_lab)}
