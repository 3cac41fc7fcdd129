"""Strong simple baselines of multiple-choice QA: a bag-of-words conditional logit, the label overlap
of an option with the clip's visual concepts, and chance.

The bag-of-words model scores option ``k`` as ``w . phi(q, a_k)`` where ``phi`` holds the option's
word counts (hashed into ``buckets``), the question-word x option-word overlap and the option length;
a softmax over the options is trained by cross-entropy (full-batch L-BFGS, L2). It captures the
answer-only and lexical-overlap biases that make language-only video QA strong (Lei et al., 2018).
The label overlap (label-free) picks the option with the most tokens among the clip's concept labels
that the question lacks: what the visual concept stream gives by plain matching.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_plugin_video.text import PAD_ID


def bow_features(q: Tensor, a: Tensor, buckets: int = 4096) -> Tensor:
    """``(B, O, buckets + 2)``: hashed option word counts, overlap with the question, option length."""
    b, o, la = a.shape
    counts = torch.zeros(b, o, buckets, dtype=torch.float64)
    real = a != PAD_ID
    counts.scatter_add_(2, a % buckets, real.double())
    in_q = (a[..., :, None] == q[:, None, None, :]).any(-1) & real & (q != PAD_ID).any(-1)[:, None, None]
    overlap = in_q.double().sum(-1, keepdim=True)
    length = real.double().sum(-1, keepdim=True)
    return torch.cat([counts, overlap, length / la], dim=-1)


def fit_bow(q: Tensor, a: Tensor, answer: Tensor, *, l2: float = 1e-2, iters: int = 100) -> Tensor:
    """The weights of the conditional logit on the labelled questions."""
    x = bow_features(q, a)
    w = torch.zeros(x.shape[-1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=iters, line_search_fn="strong_wolfe")

    def closure() -> Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(x @ w, answer) + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w.detach()


def bow_correct(train: dict[str, Tensor], test: dict[str, Tensor]) -> np.ndarray:
    """Per-test-question correctness of the bag-of-words model fitted on ``train`` (labelled rows)."""
    keep = train["labelled"] & (train["answer"] >= 0)
    w = fit_bow(train["q"][keep], train["a"][keep], train["answer"][keep])
    pred = (bow_features(test["q"], test["a"]) @ w).argmax(1)
    return (pred == test["answer"]).double().numpy()  # type: ignore[no-any-return]


def overlap_scores(q: Tensor, a: Tensor, labels: Tensor) -> Tensor:
    """``(B, O)``: per option, its real tokens found in ``labels (B, Lc)`` and not in the question."""
    real = a != PAD_ID
    in_labels = (a[..., :, None] == labels[:, None, None, :]).any(-1)
    in_q = (a[..., :, None] == q[:, None, None, :]).any(-1)
    return (real & in_labels & ~in_q).sum(-1)


def overlap_correct(test: dict[str, Tensor]) -> np.ndarray:
    """Per-question expected correctness of "pick the option with the most label overlap" (label-free;
    a tie of ``k`` options holding the answer scores ``1/k``); needs ``concept_text`` per question."""
    labels = test["concept_text"].masked_fill(test["concept_text"] == PAD_ID, -1)  # padding matches nothing
    return top_expected_correct(overlap_scores(test["q"], test["a"], labels), test["answer"])


def top_expected_correct(scores: Tensor, answer: Tensor) -> np.ndarray:
    """Per question, the expected correctness of a uniform pick among the best-scoring options of
    ``scores (N, O)``: ``1/k`` when ``answer`` is one of ``k`` tied best options, else 0."""
    best = scores == scores.amax(1, keepdim=True)
    hit = best[torch.arange(len(scores)), answer].double() / best.sum(1).double()
    return hit.numpy()  # type: ignore[no-any-return]
