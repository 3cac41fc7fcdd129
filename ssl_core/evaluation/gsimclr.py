"""G-SimCLR batch sampler (Chakraborty, Gosthipaty, Paul; ICDM workshops 2020).

G-SimCLR avoids false negatives in SimCLR by pseudo-labelling the data with k-means on latent
embeddings and building every batch so that no two samples share a pseudo-label; the contrastive
loss is otherwise unchanged. Batches are filled by repeatedly taking one sample from each of the
``batch_size`` clusters with the most samples left (random tie-breaking), which drains clusters
evenly and yields as many full batches as possible.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import Tensor
from torch.utils.data import Sampler

from ssl_core.evaluation.clustering import kmeans


class GSimCLRBatchSampler(Sampler[list[int]]):
    """Yields index batches with at most one sample per pseudo-label cluster.

    Args:
        embeddings: ``(N, D)`` latents clustered by k-means (ignored when ``labels`` is given).
        batch_size: samples per batch; must not exceed the number of clusters.
        num_clusters: k of k-means (defaults to ``2 * batch_size``).
        labels: precomputed ``(N,)`` pseudo-labels instead of k-means.
        drop_last: drop the final incomplete batch.
        seed: base seed; the order changes with :meth:`set_epoch`.
    """

    def __init__(
        self,
        embeddings: Tensor | None = None,
        batch_size: int = 256,
        *,
        num_clusters: int | None = None,
        labels: Tensor | None = None,
        drop_last: bool = True,
        seed: int = 0,
        kmeans_iters: int = 50,
    ) -> None:
        if labels is None:
            if embeddings is None:
                raise ValueError("GSimCLRBatchSampler needs embeddings or labels")
            labels, _ = kmeans(embeddings, num_clusters or 2 * batch_size, iters=kmeans_iters, seed=seed)
        self.labels = labels.detach().long().cpu()
        self.num_clusters = int(self.labels.max()) + 1
        if batch_size > int((torch.bincount(self.labels) > 0).sum()):
            raise ValueError(f"batch_size {batch_size} exceeds the number of non-empty clusters")
        self.batch_size, self.drop_last, self.seed, self.epoch = batch_size, drop_last, seed, 0

    def set_epoch(self, epoch: int) -> None:
        """Change the shuffling for a new epoch."""
        self.epoch = epoch

    def __iter__(self) -> Iterator[list[int]]:
        gen = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
        perm = torch.randperm(len(self.labels), generator=gen)
        members = [perm[self.labels[perm] == c].tolist() for c in range(self.num_clusters)]
        sizes = torch.tensor([len(m) for m in members], dtype=torch.float64)
        while True:
            nonempty = int((sizes > 0).sum())
            if nonempty == 0 or (nonempty < self.batch_size and self.drop_last):
                return
            take = min(self.batch_size, nonempty)
            jitter = torch.rand(len(sizes), generator=gen, dtype=torch.float64) * 0.5
            chosen = (sizes + jitter).topk(take).indices.tolist()
            batch = [members[c][int(len(members[c]) - sizes[c])] for c in chosen]
            sizes[chosen] -= 1
            yield batch

    def __len__(self) -> int:
        sizes = sorted((int(s) for s in torch.bincount(self.labels) if s > 0), reverse=True)
        count = 0
        while sizes:
            if len(sizes) < self.batch_size and self.drop_last:
                break
            take = min(self.batch_size, len(sizes))
            sizes = sorted([s - 1 for s in sizes[:take] if s > 1] + sizes[take:], reverse=True)
            count += 1
        return count
