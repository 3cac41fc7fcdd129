import pytest
import torch
import torch.nn.functional as F

from ssl_core.objectives import MatryoshkaLoss, NTXentLoss, VICRegLoss


def test_flat_views_sum_over_nested_dims():
    torch.manual_seed(0)
    z1, z2 = torch.randn(6, 8, dtype=torch.float64), torch.randn(6, 8, dtype=torch.float64)
    base = NTXentLoss(0.2)
    out = MatryoshkaLoss(base, dims=[2, 4])(z1, z2)
    manual = sum(base(z1[:, :d], z2[:, :d]).loss for d in (2, 4, 8))
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-12)


def test_layers_equal_manual_sum_with_weight_and_alignment():
    torch.manual_seed(0)
    v1, v2 = torch.randn(6, 3, 8, dtype=torch.float64), torch.randn(6, 3, 8, dtype=torch.float64)
    base = VICRegLoss()
    out = MatryoshkaLoss(base, dims=[4], align_weight=0.5)(v1, v2, layer=2)
    last = sum(base(v1[:, 2, :d], v2[:, 2, :d]).loss for d in (4, 8))
    shallow = sum(base(v1[:, 1, :d], v2[:, 1, :d]).loss for d in (4, 8))
    align = (F.mse_loss(v1[:, 1], v1[:, 2]) + F.mse_loss(v2[:, 1], v2[:, 2])) / 2
    manual = last + (2 / 3) * shallow + 0.5 * align
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-12)
    assert out.metrics["matryoshka/k"].item() == 2.0


def test_sampling_is_seeded_and_in_range():
    v = [torch.randn(4, 5, 6) for _ in range(2)]
    a = MatryoshkaLoss(NTXentLoss(), dims=[2, 3], sample_dims=True, seed=7)
    b = MatryoshkaLoss(NTXentLoss(), dims=[2, 3], sample_dims=True, seed=7)
    ks = [a(*v).metrics["matryoshka/k"].item() for _ in range(20)]
    assert ks == [b(*v).metrics["matryoshka/k"].item() for _ in range(20)]
    assert set(ks) <= {1.0, 2.0, 3.0, 4.0} and len(set(ks)) > 1


def test_alignment_pulls_only_the_shallow_layer():
    v = torch.randn(4, 2, 6, requires_grad=True)
    loss = MatryoshkaLoss(NTXentLoss(), dims=[3], align_weight=1.0)
    out = loss(v, v.detach().clone(), layer=1)
    out.loss.backward()
    assert v.grad is not None


def test_bad_inputs():
    with pytest.raises(ValueError, match="dims"):
        MatryoshkaLoss(NTXentLoss(), dims=[])
    with pytest.raises(ValueError, match="exceeds"):
        MatryoshkaLoss(NTXentLoss(), dims=[16])(torch.randn(4, 8), torch.randn(4, 8))
    with pytest.raises(ValueError, match="layer must be"):
        MatryoshkaLoss(NTXentLoss(), dims=[2])(torch.randn(4, 3, 8), torch.randn(4, 3, 8), layer=3)
    with pytest.raises(ValueError, match="equally shaped"):
        MatryoshkaLoss(NTXentLoss(), dims=[2])(torch.randn(4, 8), torch.randn(4, 3, 8))
