"""The main stage of Kim et al. (AAAI 2021) as a small training loop, and test-set predictions.

:func:`train_main_stage` optimises ``CE_answer + lambda_loc L_loc + lambda_con L_con``
(:meth:`~ssl_plugin_video.method.VideoQA.main_loss`) on the labelled training questions with AdamW
(linear warm-up over the first 10% of steps), seeded. :func:`predict` gives per-question
correctness, the predicted span (start = argmax of the start logits, end = argmax of the end logits
from the start on) and its temporal IoU with ``ts`` in bins (NaN without a span).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator

import numpy as np
import torch
from torch import Tensor

from ssl_core.interfaces import Batch
from ssl_plugin_video.data import ClipQADataset
from ssl_plugin_video.method import MainStage, VideoQA

IndexBatches = Callable[[torch.Generator], Iterator[Tensor]]
"""Given the run's generator, the index tensor of each step's batch (an endless iterator)."""


def shuffled_batches(n: int, batch_size: int) -> IndexBatches:
    """Seeded epochs: a random permutation of ``n`` items, ``batch_size`` at a time, redrawn when short."""

    def batches(gen: torch.Generator) -> Iterator[Tensor]:
        order, pos = torch.randperm(n, generator=gen), 0
        while True:
            if pos + min(batch_size, n) > n:
                order, pos = torch.randperm(n, generator=gen), 0
            idx = order[pos : pos + batch_size]
            pos += len(idx)
            yield idx

    return batches


def _optimise(model: VideoQA, data: ClipQADataset, loss: Callable[[Batch, torch.Generator], Tensor], *, steps: int,
              batch_size: int, lr: float, seed: int, device: str | torch.device,
              batches: IndexBatches | None = None) -> VideoQA:  # fmt: skip
    """AdamW (weight decay 0.01, linear warm-up over 10% of the steps, grad-norm clip 1) over ``batches``
    (default: :func:`shuffled_batches`)."""
    model.to(device).train()
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, steps // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warm))
    order = (batches or shuffled_batches(len(data), batch_size))(gen)
    for _ in range(steps):
        idx = next(order)
        value = loss({k: v.to(device) for k, v in data.__getitems__(idx).items()}, gen)
        opt.zero_grad(set_to_none=True)
        value.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
    return model.eval()


def train_main_stage(module: VideoQA, train: ClipQADataset, stage: MainStage, *, steps: int, batch_size: int,
                     lr: float, seed: int, device: str | torch.device = "cpu") -> VideoQA:  # fmt: skip
    """A copy of ``module`` trained by the main stage on the labelled training questions (``module`` is untouched)."""
    model = copy.deepcopy(module)
    labelled = train.subset(train.tensors["labelled"] & (train.tensors["answer"] >= 0))
    if len(labelled) == 0:
        raise ValueError("the main stage needs labelled training questions")
    return _optimise(model, labelled, lambda b, g: model.main_loss(b, stage, g).loss, steps=steps,
                     batch_size=batch_size, lr=lr, seed=seed, device=device)  # fmt: skip


def train_question_prediction(module: VideoQA, train: ClipQADataset, *, steps: int, batch_size: int, lr: float,
                              seed: int, device: str | torch.device = "cpu",
                              batches: IndexBatches | None = None) -> VideoQA:  # fmt: skip
    """A copy of ``module`` pre-trained by question prediction on every training question (what
    ``pretrain`` does through the engine; the bench's short loop). ``batches`` replaces the shuffled
    order (``batch_size`` is then unused)."""
    model = copy.deepcopy(module)
    return _optimise(model, train, lambda b, g: model(b, g).loss, steps=steps, batch_size=batch_size, lr=lr,
                     seed=seed, device=device, batches=batches)  # fmt: skip


def _span(loc: Tensor) -> Tensor:
    start = loc[..., 0].argmax(-1)
    t = loc.shape[-2]
    after = torch.arange(t, device=loc.device)[None] >= start[:, None]
    end = loc[..., 1].masked_fill(~after, float("-inf")).argmax(-1)
    return torch.stack([start, end], dim=-1)


def span_iou(pred: Tensor, true: Tensor) -> np.ndarray:
    """Temporal IoU of inclusive bin spans ``(N, 2)``; NaN where ``true`` is ``-1``."""
    inter = (torch.minimum(pred[:, 1], true[:, 1]) - torch.maximum(pred[:, 0], true[:, 0]) + 1).clamp(min=0)
    union = (pred[:, 1] - pred[:, 0] + 1) + (true[:, 1] - true[:, 0] + 1) - inter
    iou = (inter.double() / union.double()).numpy()
    iou[true[:, 0].numpy() < 0] = np.nan
    return iou  # type: ignore[no-any-return]


@torch.no_grad()
def predict(module: VideoQA, data: ClipQADataset, *, batch_size: int = 64,
            device: str | torch.device = "cpu") -> dict[str, np.ndarray]:  # fmt: skip
    """``{"scores": (N, O), "correct": (N,), "iou": (N,)}`` on ``data`` (IoU NaN without context or span)."""
    module.eval()
    scores, spans = [], []
    for start in range(0, len(data), batch_size):
        idx = torch.arange(start, min(start + batch_size, len(data)))
        batch = {k: v.to(device) for k, v in data.__getitems__(idx).items()}
        s, _, loc = module.score(batch)
        scores.append(s.cpu())
        if loc is not None:
            best = s.argmax(1)
            spans.append(_span(loc[torch.arange(len(best)), best]).cpu())
    all_scores = torch.cat(scores)
    answer = data.tensors["answer"]
    out = {"scores": all_scores.numpy(), "correct": (all_scores.argmax(1) == answer).double().numpy()}
    truth = data.tensors["span"]
    out["iou"] = span_iou(torch.cat(spans), truth) if spans else np.full(len(answer), np.nan)
    return out
