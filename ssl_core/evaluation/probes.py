"""Linear and MLP probes on frozen embeddings, in torch (full-batch Adam, GPU friendly).

The standard protocol of SSL evaluation (e.g. SimCLR, Chen et al. 2020; the linear probe of
T-JEPA, Thimonier et al. 2025): features are standardised with the training statistics, a linear
(or one-hidden-layer) head is trained on the frozen features, and the test metric is reported.
Classification reports ``acc``; regression reports ``rmse`` and ``mae`` (targets are standardised
for training and the metrics are in the original units).
"""

from __future__ import annotations

from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor, nn

Task = Literal["classification", "regression"]


def standardisation(train_x: Tensor) -> tuple[Tensor, Tensor]:
    """Per-feature ``(mean, std)`` of ``train_x`` (population std, floored at 1e-6), as probes use them.

    Apply ``(x - mean) / std`` to any split, e.g. to score a head from :func:`fit_head` on new inputs.
    """
    train_x = train_x.float()
    return train_x.mean(0), train_x.std(0, unbiased=False).clamp_min(1e-6)


def _standardise(train_x: Tensor, test_x: Tensor) -> tuple[Tensor, Tensor]:
    train_x, test_x = train_x.float(), test_x.float().to(train_x.device)
    mean, std = standardisation(train_x)
    return (train_x - mean) / std, (test_x - mean) / std


def fit_head(
    head: nn.Module,
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    test_y: Tensor,
    *,
    task: Task,
    epochs: int,
    lr: float,
    weight_decay: float,
) -> dict[str, float]:
    """Train ``head`` full-batch with Adam on standardised features, return the test metrics."""
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    x, xt = _standardise(train_x, test_x)
    head = head.to(x.device)
    opt = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=weight_decay)
    if task == "classification":
        y = train_y.long().to(x.device)
        target = y
    else:
        y = train_y.float().to(x.device).reshape(len(x), -1)
        y_mean, y_std = y.mean(0), y.std(0, unbiased=False).clamp_min(1e-6)
        target = (y - y_mean) / y_std
    for _ in range(epochs):
        opt.zero_grad(set_to_none=True)
        out = head(x)
        loss = F.cross_entropy(out, target) if task == "classification" else F.mse_loss(out, target)
        loss.backward()
        opt.step()
    with torch.no_grad():
        out = head(xt)
        return score_predictions(out if task == "classification" else out * y_std + y_mean, test_y, task)


def score_predictions(pred: Tensor, test_y: Tensor, task: Task) -> dict[str, float]:
    """``{"acc"}`` of logits ``pred`` (classification) or ``{"rmse", "mae"}`` of predictions ``pred``."""
    pred = pred.cpu()
    if task == "classification":
        return {"acc": float((pred.argmax(-1) == test_y.long().cpu()).float().mean())}
    err = pred - test_y.float().cpu().reshape(len(pred), -1)
    return {"rmse": float(err.pow(2).mean().sqrt()), "mae": float(err.abs().mean())}


def _out_dim(train_y: Tensor, test_y: Tensor, task: Task) -> int:
    if task == "classification":
        return int(max(int(train_y.max()), int(test_y.max()))) + 1
    return 1 if train_y.ndim == 1 else int(train_y.shape[1])


def linear_probe(
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    test_y: Tensor,
    *,
    task: Task = "classification",
    epochs: int = 100,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    seed: int = 0,
) -> dict[str, float]:
    """Linear probe on frozen features: ``{"acc"}`` or ``{"rmse", "mae"}`` on the test split."""
    torch.manual_seed(seed)
    head = nn.Linear(train_x.shape[1], _out_dim(train_y, test_y, task))
    return fit_head(
        head, train_x, train_y, test_x, test_y, task=task, epochs=epochs, lr=lr, weight_decay=weight_decay
    )


def mlp_probe(
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    test_y: Tensor,
    *,
    task: Task = "classification",
    epochs: int = 100,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    seed: int = 0,
    hidden: int = 256,
) -> dict[str, float]:
    """One-hidden-layer (ReLU) MLP probe on frozen features; same outputs as :func:`linear_probe`."""
    torch.manual_seed(seed)
    head = nn.Sequential(
        nn.Linear(train_x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, _out_dim(train_y, test_y, task))
    )
    return fit_head(
        head, train_x, train_y, test_x, test_y, task=task, epochs=epochs, lr=lr, weight_decay=weight_decay
    )
