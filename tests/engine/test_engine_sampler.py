"""Tests of the deterministic, resumable global-batch sampler."""

from __future__ import annotations

import pytest
import torch

from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.errors import ConfigError


def test_epoch_is_a_permutation_and_depends_only_on_seed_and_epoch() -> None:
    s = GlobalBatchSampler(20, 4, seed=3)
    seen = torch.cat([s.global_indices(step) for step in range(s.steps_per_epoch)])
    assert sorted(seen.tolist()) == list(range(20))
    fresh = GlobalBatchSampler(20, 4, seed=3)
    assert torch.equal(fresh.global_indices(7), s.global_indices(7))  # no state: resumable mid-epoch
    assert not torch.equal(s.permutation(0), s.permutation(1))
    assert not torch.equal(GlobalBatchSampler(20, 4, seed=4).permutation(0), s.permutation(0))


def test_ranks_take_contiguous_slices_of_the_global_batch() -> None:
    ranks = [GlobalBatchSampler(32, 8, seed=1, rank=r, world_size=4) for r in range(4)]
    for step in (0, 5):
        glob = ranks[0].global_indices(step)
        parts = [r.rank_indices(step) for r in ranks]
        assert torch.equal(torch.cat(parts), glob)
        assert all(len(p) == 2 for p in parts)


def test_position_and_drop_last() -> None:
    s = GlobalBatchSampler(10, 4, drop_last=True)
    assert s.steps_per_epoch == 2 and s.position(5) == (2, 1)
    keep = GlobalBatchSampler(10, 4, drop_last=False, shuffle=False)
    assert keep.steps_per_epoch == 3 and keep.global_indices(2).tolist() == [8, 9]


def test_bad_batch_sizes() -> None:
    with pytest.raises(ConfigError, match="divisible by the world size"):
        GlobalBatchSampler(10, 5, world_size=2)
    with pytest.raises(ConfigError, match="larger than the dataset"):
        GlobalBatchSampler(3, 4)
    with pytest.raises(ConfigError, match="positive"):
        GlobalBatchSampler(3, 0)
