"""Linear and MLP probes on frozen embeddings, in torch (full-batch Adam, GPU friendly).

The standard protocol of SSL evaluation (e.g. SimCLR, Chen et al. 2020; the linear probe of
T-JEPA, Thimonier et al. 2025): features are standardised with the training statistics, a linear
(or one-hidden-layer) head is trained on the frozen features, and the test metric is reported.
Classification reports ``acc``; regression reports ``rmse`` and ``mae`` (targets are standardised
for training and the metrics are in the original units).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.evaluation.intervals import Reduce, mean_reduce, root_mean_reduce

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


class _Targets:
    """Training targets of one task: class ids, or regression targets standardised with the train statistics."""

    def __init__(self, train_y: Tensor, task: Task, device: torch.device) -> None:
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        self.task = task
        if task == "classification":
            self.target = train_y.long().to(device)
            self.mean = self.std = torch.zeros((), device=device)
        else:
            y = train_y.float().to(device).reshape(len(train_y), -1)
            self.mean, self.std = y.mean(0), y.std(0, unbiased=False).clamp_min(1e-6)
            self.target = (y - self.mean) / self.std

    def loss(self, out: Tensor) -> Tensor:
        return (
            F.cross_entropy(out, self.target)
            if self.task == "classification"
            else F.mse_loss(out, self.target)
        )

    def predictions(self, out: Tensor) -> Tensor:
        """Logits (classification) or predictions in the original units (regression)."""
        return out if self.task == "classification" else out * self.std + self.mean

    def score(self, out: Tensor, labels: Tensor) -> dict[str, float]:
        return score_predictions(self.predictions(out), labels, self.task)


def train_head(
    head: nn.Module, x: Tensor, targets: _Targets, *, epochs: int, lr: float, weight_decay: float
) -> Iterator[int]:
    """Full-batch Adam on standardised ``x``; yields the epoch count (1, 2, ...) after each step."""
    opt = torch.optim.Adam(head.parameters(), lr=lr, weight_decay=weight_decay)
    for epoch in range(1, epochs + 1):
        opt.zero_grad(set_to_none=True)
        targets.loss(head(x)).backward()
        opt.step()
        yield epoch


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
    pred = fit_predict(
        head, train_x, train_y, test_x, task=task, epochs=epochs, lr=lr, weight_decay=weight_decay
    )
    return score_predictions(pred, test_y, task)


def fit_predict(
    head: nn.Module, train_x: Tensor, train_y: Tensor, test_x: Tensor, *, task: Task, epochs: int, lr: float,
    weight_decay: float,
) -> Tensor:  # fmt: skip
    """Train ``head`` as :func:`fit_head` does; return its test logits / predictions (original units)."""
    x, xt = _standardise(train_x, test_x)
    targets = _Targets(train_y, task, x.device)
    head = head.to(x.device)
    for _ in train_head(head, x, targets, epochs=epochs, lr=lr, weight_decay=weight_decay):
        pass
    with torch.no_grad():
        return targets.predictions(head(xt))


def score_predictions(pred: Tensor, test_y: Tensor, task: Task) -> dict[str, float]:
    """``{"acc"}`` of logits ``pred`` (classification) or ``{"rmse", "mae"}`` of predictions ``pred``."""
    pred = pred.cpu()
    if task == "classification":
        return {"acc": float((pred.argmax(-1) == test_y.long().cpu()).float().mean())}
    err = pred - test_y.float().cpu().reshape(len(pred), -1)
    return {"rmse": float(err.pow(2).mean().sqrt()), "mae": float(err.abs().mean())}


def item_scores(pred: Tensor, test_y: Tensor, task: Task) -> dict[str, np.ndarray]:
    """Per-test-item scores behind :func:`score_predictions` (for a bootstrap over test items).

    ``acc``: 1/0 correctness (its mean is the accuracy); ``rmse``: squared error averaged over the
    outputs (the root of its mean is the RMSE); ``mae``: absolute error averaged over the outputs.
    :data:`ITEM_REDUCE` maps each metric to the reduction that gives it back.
    """
    pred = pred.detach().cpu().double()
    if task == "classification":
        return {"acc": (pred.argmax(-1) == test_y.long().cpu()).double().numpy()}
    err = pred.reshape(len(pred), -1) - test_y.double().cpu().reshape(len(pred), -1)
    return {"rmse": err.pow(2).mean(1).numpy(), "mae": err.abs().mean(1).numpy()}


ITEM_REDUCE: dict[str, Reduce] = {"acc": mean_reduce, "rmse": root_mean_reduce, "mae": mean_reduce}
"""The reduction of each :func:`item_scores` entry that gives back the metric."""


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
    return mlp_probe(
        train_x,
        train_y,
        test_x,
        test_y,
        task=task,
        epochs=epochs,
        lr=lr,
        weight_decay=weight_decay,
        seed=seed,
        hidden=0,
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
    """One-hidden-layer (ReLU) MLP probe on frozen features (``hidden=0``: linear); outputs as :func:`linear_probe`."""
    torch.manual_seed(seed)
    head = mlp_head(train_x.shape[1], hidden, _out_dim(train_y, test_y, task))
    return fit_head(
        head, train_x, train_y, test_x, test_y, task=task, epochs=epochs, lr=lr, weight_decay=weight_decay
    )


def probe_items(
    train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, *, task: Task = "classification",
    epochs: int = 100, lr: float = 1e-2, weight_decay: float = 0.0, seed: int = 0, hidden: int = 0,
) -> dict[str, np.ndarray]:  # fmt: skip
    """The probe of :func:`mlp_probe` (linear by default), returning :func:`item_scores` of the test items."""
    torch.manual_seed(seed)
    head = mlp_head(train_x.shape[1], hidden, _out_dim(train_y, test_y, task))
    pred = fit_predict(
        head, train_x, train_y, test_x, task=task, epochs=epochs, lr=lr, weight_decay=weight_decay
    )
    return item_scores(pred, test_y, task)


def mlp_head(in_dim: int, hidden: int, out_dim: int) -> nn.Module:
    """The probes' head: ``Linear -> ReLU -> Linear``, or one ``Linear`` when ``hidden`` is 0."""
    if hidden == 0:
        return nn.Linear(in_dim, out_dim)
    return nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))
