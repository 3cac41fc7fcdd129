"""The downstream MLP with early stopping on a validation split (T-JEPA's protocol).

Thimonier et al. (ICLR 2025, arXiv 2410.05016) train their downstream models with early stopping on
the validation split and report the test metric of the selected model. :func:`early_stopped_mlp`
trains the core's MLP probe (:func:`ssl_core.evaluation.mlp_probe`: the same seeded head, standardised
features, full-batch Adam) once for ``max(checkpoints)`` epochs, scores validation and test at each
checkpoint epoch and returns the test metric at the best validation score. With full-batch Adam the
run is a prefix of any longer one, so the result at checkpoint ``e`` equals ``mlp_probe(epochs=e)``
(tested); the selection costs one run instead of one per candidate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.evaluation.probes import score_predictions


@dataclass
class EarlyStopped:
    """The selected checkpoint: its epoch count, validation and test metrics (``acc`` or ``rmse``)."""

    epochs: int
    val: float
    test: float


def _standardised(train_x: Tensor, *others: Tensor) -> list[Tensor]:
    mean, std = train_x.mean(0), train_x.std(0, unbiased=False).clamp_min(1e-6)
    return [(x.float().to(train_x.device) - mean) / std for x in (train_x, *others)]


def early_stopped_mlp(
    train: tuple[Tensor, Tensor],
    val: tuple[Tensor, Tensor],
    test: tuple[Tensor, Tensor],
    *,
    task: str,
    checkpoints: Sequence[int],
    lr: float,
    weight_decay: float = 0.0,
    hidden: int = 256,
    seed: int = 0,
) -> EarlyStopped:
    """One-hidden-layer MLP on frozen features; the checkpoint epoch is chosen on ``val``.

    Args:
        train, val, test: ``(features, labels)`` of each split (labels: class ids or regression targets).
        task: ``classification`` (metric ``acc``, higher is better) or ``regression`` (``rmse``, lower).
        checkpoints: candidate epoch counts (full-batch steps); ties go to the fewest epochs.
        lr, weight_decay, hidden, seed: as in :func:`ssl_core.evaluation.mlp_probe`.

    Raises:
        ValueError: unknown task or no positive checkpoint.
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    stops = sorted({int(e) for e in checkpoints if int(e) > 0})
    if not stops:
        raise ValueError(
            f"early_stopped_mlp: checkpoints must hold a positive epoch count, got {checkpoints}"
        )
    x, xv, xt = _standardised(train[0].float(), val[0], test[0])
    classify = task == "classification"
    if classify:
        target = train[1].long().to(x.device)
        out_dim = int(max(int(train[1].max()), int(val[1].max()), int(test[1].max()))) + 1
        y_mean = y_std = torch.zeros(())
    else:
        y = train[1].float().to(x.device).reshape(len(x), -1)
        y_mean, y_std = y.mean(0), y.std(0, unbiased=False).clamp_min(1e-6)
        target, out_dim = (y - y_mean) / y_std, y.shape[1]
    torch.manual_seed(seed)
    head = nn.Sequential(nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, out_dim)).to(x.device)
    opt = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=weight_decay)
    metric, sign = ("acc", 1.0) if classify else ("rmse", -1.0)
    best: EarlyStopped | None = None
    for epoch in range(1, stops[-1] + 1):
        opt.zero_grad(set_to_none=True)
        out = head(x)
        loss = F.cross_entropy(out, target) if classify else F.mse_loss(out, target)
        loss.backward()
        opt.step()
        if epoch not in stops:
            continue
        with torch.no_grad():
            scores = [
                score_predictions(p if classify else p * y_std + y_mean, labels, task)[metric]  # type: ignore[arg-type]
                for p, labels in ((head(xv), val[1]), (head(xt), test[1]))
            ]
        if best is None or sign * scores[0] > sign * best.val:
            best = EarlyStopped(epoch, scores[0], scores[1])
    assert best is not None
    return best
