"""Batched k-means (Lloyd's algorithm with k-means++ seeding, Arthur & Vassilvitskii 2007) in torch."""

from __future__ import annotations

import torch
from torch import Tensor


def kmeans(x: Tensor, k: int, *, iters: int = 50, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Cluster the rows of ``x`` (N, D) into ``k`` clusters.

    Returns ``(labels (N,) long, centroids (k, D))``. Seeding is k-means++ drawn from a generator
    seeded with ``seed`` on ``x``'s device; an empty cluster is re-seeded at the farthest point.
    """
    if not 1 <= k <= len(x):
        raise ValueError(f"k must be in [1, {len(x)}], got {k}")
    x = x.detach().float()
    gen = torch.Generator(device=x.device).manual_seed(seed)
    first = torch.randint(len(x), (1,), generator=gen, device=x.device)
    centroids = x[first]
    d2 = torch.cdist(x, centroids).pow(2).squeeze(1)
    for _ in range(1, k):
        probs = d2 / d2.sum() if d2.sum() > 0 else torch.full_like(d2, 1.0 / len(d2))
        nxt = torch.multinomial(probs, 1, generator=gen)
        centroids = torch.cat([centroids, x[nxt]])
        d2 = torch.minimum(d2, torch.cdist(x, x[nxt]).pow(2).squeeze(1))
    labels = torch.cdist(x, centroids).argmin(1)
    for _ in range(iters):
        sums = torch.zeros_like(centroids).index_add_(0, labels, x)
        counts = torch.bincount(labels, minlength=k).to(x.dtype)
        new = sums / counts.clamp_min(1).unsqueeze(1)
        empty = counts == 0
        if empty.any():
            far = torch.cdist(x, new).min(1).values.topk(int(empty.sum())).indices
            new[empty] = x[far]
        centroids = new
        new_labels = torch.cdist(x, centroids).argmin(1)
        if torch.equal(new_labels, labels):
            break
        labels = new_labels
    return labels, centroids
