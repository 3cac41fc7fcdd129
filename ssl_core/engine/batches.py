"""The stream of this rank's batches, one per optimizer step, starting at any global step.

In-process (``num_workers=0``) batches are read directly with :func:`ssl_core.data.fetch_batch`
(no DataLoader machinery on the hot path). With workers, a :class:`~torch.utils.data.DataLoader`
reads the same index lists, so the order is identical either way and resuming mid-epoch only needs
the step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

from ssl_core.data import default_collate, fetch_batch
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.interfaces import Batch

__all__ = ["StepIndices", "batch_stream"]


class StepIndices(Sampler[list[int]]):
    """A batch sampler yielding this rank's indices for steps ``start .. end - 1``."""

    def __init__(self, sampler: GlobalBatchSampler, start: int, end: int) -> None:
        self.sampler, self.start, self.end = sampler, start, end

    def __iter__(self) -> Iterator[list[int]]:
        for step in range(self.start, self.end):
            yield self.sampler.rank_indices(step).tolist()

    def __len__(self) -> int:
        return max(self.end - self.start, 0)


def batch_stream(
    dataset: Dataset[Any],
    sampler: GlobalBatchSampler,
    start: int,
    end: int,
    *,
    collate: Callable[[Any], Batch] | None = None,
    num_workers: int = 0,
    pin_memory: bool = False,
) -> Iterator[Batch]:
    """Yield the batches of steps ``start .. end - 1`` for this rank."""
    if num_workers <= 0:
        for step in range(start, end):
            yield fetch_batch(dataset, sampler.rank_indices(step), collate)
        return
    loader = DataLoader(
        dataset,
        batch_sampler=StepIndices(sampler, start, end),
        collate_fn=collate or default_collate,
        num_workers=num_workers,
        pin_memory=pin_memory,
        generator=torch.Generator().manual_seed(sampler.seed),
    )
    yield from loader
