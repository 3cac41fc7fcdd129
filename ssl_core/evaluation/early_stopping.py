"""A downstream MLP with early stopping on a validation split.

Protocols that train the downstream model with early stopping (e.g. T-JEPA, Thimonier et al.,
ICLR 2025, arXiv 2410.05016) report the test metric of the checkpoint chosen on validation.
:func:`early_stopped_mlp` trains the same seeded head as :func:`ssl_core.evaluation.mlp_probe` once,
for ``max(checkpoints)`` full-batch epochs, and scores validation and test at each checkpoint. Full-batch
Adam makes every run a prefix of a longer one, so the result at checkpoint ``e`` equals
``mlp_probe(epochs=e)``: the selection costs one run instead of one per candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from ssl_core.evaluation.probes import (
    Task,
    _out_dim,
    _Targets,
    mlp_head,
    score_predictions,
    standardisation,
    train_head,
)


@dataclass
class EarlyStopped:
    """The selected checkpoint: its epoch count, its validation and test metric (``acc`` or ``rmse``)
    and its test logits / predictions in the original units (for per-item scores)."""

    epochs: int
    val: float
    test: float
    test_pred: Tensor | None = None


def early_stopped_mlp(
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor],
    test: tuple[Tensor, Tensor],
    *,
    task: Task,
    checkpoints: Sequence[int],
    lr: float,
    weight_decay: float = 0.0,
    hidden: int = 256,
    seed: int = 0,
) -> EarlyStopped:
    """One-hidden-layer MLP on frozen features whose training length is chosen on ``val``.

    Args:
        train, val, test: ``(features, labels)`` of each split (class ids or regression targets).
        task: ``classification`` (metric ``acc``, higher is better) or ``regression`` (``rmse``, lower).
        checkpoints: candidate epoch counts; ties go to the fewest epochs.
        lr, weight_decay, hidden, seed: as in :func:`ssl_core.evaluation.mlp_probe`.

    Raises:
        ValueError: an unknown task or no positive checkpoint.
    """
    stops = sorted({int(e) for e in checkpoints if int(e) > 0})
    if not stops:
        raise ValueError(
            f"early_stopped_mlp: checkpoints must hold a positive epoch count, got {checkpoints}"
        )
    mean, std = standardisation(train[0])
    x, xv, xt = ((split[0].float().to(mean.device) - mean) / std for split in (train, val, test))
    targets = _Targets(train[1], task, x.device)
    labels = torch.cat([train[1], val[1], test[1]]) if task == "classification" else train[1]
    torch.manual_seed(seed)
    head = mlp_head(x.shape[1], hidden, _out_dim(labels, labels, task)).to(x.device)
    metric, sign = ("acc", 1.0) if task == "classification" else ("rmse", -1.0)
    best: EarlyStopped | None = None
    for epoch in train_head(head, x, targets, epochs=stops[-1], lr=lr, weight_decay=weight_decay):
        if epoch not in stops:
            continue
        with torch.no_grad():
            pred = targets.predictions(head(xt))
            v, t = targets.score(head(xv), val[1])[metric], score_predictions(pred, test[1], task)[metric]
        if best is None or sign * v > sign * best.val:
            best = EarlyStopped(epoch, v, t, pred)
    assert best is not None
    return best
