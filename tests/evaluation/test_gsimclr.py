import pytest
import torch

from ssl_core.evaluation import GSimCLRBatchSampler, kmeans


def test_kmeans_recovers_blobs():
    g = torch.Generator().manual_seed(0)
    centers = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    truth = torch.arange(90) % 3
    x = centers[truth] + 0.5 * torch.randn(90, 2, generator=g)
    labels, cents = kmeans(x, 3, seed=1)
    # the partition equals the truth up to relabelling
    for c in range(3):
        assert len(set(labels[truth == c].tolist())) == 1
    assert len(set(labels.tolist())) == 3
    with pytest.raises(ValueError, match="k must be"):
        kmeans(x, 0)


@pytest.mark.parametrize("drop_last", [True, False])
def test_gsimclr_batches_have_no_duplicate_cluster(drop_last):
    g = torch.Generator().manual_seed(0)
    labels = torch.randint(12, (500,), generator=g)
    sampler = GSimCLRBatchSampler(labels=labels, batch_size=8, drop_last=drop_last, seed=3)
    batches = list(sampler)
    assert len(batches) == len(sampler)
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen))
    for b in batches:
        assert len({int(labels[i]) for i in b}) == len(b)
        if drop_last:
            assert len(b) == 8
    if not drop_last:
        assert sorted(seen) == list(range(500))
    sampler.set_epoch(1)
    assert list(sampler) != batches


def test_gsimclr_from_embeddings_and_bad_batch_size():
    x = torch.randn(200, 4, generator=torch.Generator().manual_seed(0))
    sampler = GSimCLRBatchSampler(x, batch_size=4, num_clusters=8)
    for b in sampler:
        assert len({int(sampler.labels[i]) for i in b}) == 4
    with pytest.raises(ValueError, match="exceeds"):
        GSimCLRBatchSampler(labels=torch.tensor([0, 1, 1, 0]), batch_size=3)
