"""Every batch-coupled objective gives the single-process loss and gradients on 2 gloo ranks."""

import functools

import pytest
import torch

from ssl_core.objectives import BarlowTwinsLoss, CLIPLoss, NTXentLoss, VICRegLoss
from ssl_core.testing.distributed_checks import check_matches_global_batch

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _views(num_views: int, rows: int = 8, dim: int = 5) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(num_views)
    return tuple(torch.randn(rows, dim, generator=gen, dtype=torch.float64) for _ in range(num_views))


def _double(factory):
    return factory().double()


@pytest.mark.parametrize(
    ("factory", "num_views"),
    [
        (functools.partial(NTXentLoss, temperature=0.3), 3),
        (CLIPLoss, 2),
        (VICRegLoss, 2),
        (BarlowTwinsLoss, 2),
    ],
    ids=["ntxent-3views", "clip", "vicreg", "barlow"],
)
def test_matches_global_batch_on_two_ranks(factory, num_views):
    result = check_matches_global_batch(
        functools.partial(_double, factory),
        _views(num_views),
        world_size=2,
        rtol=1e-9,
        atol=1e-10,
        timeout=150,
    )
    assert len(result["rank_losses"]) == 2
