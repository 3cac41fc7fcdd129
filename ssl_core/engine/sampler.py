"""Deterministic, resumable global-batch sampling.

Every epoch is a permutation that depends only on ``(seed, epoch)``; global batch ``b`` of that
epoch is ``perm[b * G:(b + 1) * G]`` and rank ``r`` of ``W`` takes the ``r``-th contiguous slice of
it. Because one optimizer step consumes exactly one global batch, the sampler position is a pure
function of the global step: resuming (even mid-epoch) is ``batch_indices(step)``, with no state to
replay. This follows the "schedules are functions of the iteration" pattern of DINOv2
(Oquab et al., 2023) applied to data order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import Tensor

from ssl_core.errors import ConfigError

__all__ = ["GlobalBatchSampler"]

_EPOCH_STRIDE = 1_000_003


@dataclass
class GlobalBatchSampler:
    """Indices of the global batch of each step, and this rank's contiguous share of it.

    Args:
        num_samples: dataset length.
        global_batch: samples per optimizer step over all ranks and micro-batches.
        seed: shuffling seed.
        shuffle: permute each epoch (``False`` keeps dataset order).
        drop_last: drop the incomplete last batch of an epoch.
        rank: this process's rank.
        world_size: number of processes.
    """

    num_samples: int
    global_batch: int
    seed: int = 0
    shuffle: bool = True
    drop_last: bool = True
    rank: int = 0
    world_size: int = 1
    _cache: tuple[int, Tensor] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.global_batch <= 0:
            raise ConfigError("<config>", "train.batch_size", f"must be positive, got {self.global_batch}")
        if self.global_batch % self.world_size:
            raise ConfigError(
                "<config>",
                "train.batch_size",
                f"global batch {self.global_batch} is not divisible by the world size {self.world_size}",
            )
        if self.steps_per_epoch == 0:
            raise ConfigError(
                "<config>",
                "train.batch_size",
                f"global batch {self.global_batch} is larger than the dataset ({self.num_samples} samples) "
                "and drop_last is set",
            )

    @property
    def steps_per_epoch(self) -> int:
        """Optimizer steps (global batches) in one epoch."""
        full, rest = divmod(self.num_samples, self.global_batch)
        return full + (1 if rest and not self.drop_last else 0)

    def position(self, step: int) -> tuple[int, int]:
        """``(epoch, batch index within the epoch)`` of global step ``step``."""
        return divmod(step, self.steps_per_epoch)

    def permutation(self, epoch: int) -> Tensor:
        """The sample order of ``epoch`` (a pure function of ``seed`` and ``epoch``)."""
        if self._cache is not None and self._cache[0] == epoch:
            return self._cache[1]
        if self.shuffle:
            gen = torch.Generator().manual_seed(self.seed * _EPOCH_STRIDE + epoch)
            perm = torch.randperm(self.num_samples, generator=gen)
        else:
            perm = torch.arange(self.num_samples)
        self._cache = (epoch, perm)
        return perm

    def global_indices(self, step: int) -> Tensor:
        """All indices of the global batch consumed at ``step``."""
        epoch, index = self.position(step)
        perm = self.permutation(epoch)
        return perm[index * self.global_batch : (index + 1) * self.global_batch]

    def rank_indices(self, step: int) -> Tensor:
        """This rank's contiguous slice of the global batch of ``step``."""
        return torch.tensor_split(self.global_indices(step), self.world_size)[self.rank]
