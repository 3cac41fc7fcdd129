import pytest
import torch

from ssl_core.objectives import BYOLLoss, DirectPredPredictor, MLPPredictor


def naive_pair(p, z):
    total = 0.0
    for i in range(p.shape[0]):
        total += 2 - 2 * float(p[i] @ z[i]) / float(p[i].norm() * z[i].norm())
    return total / p.shape[0]


def test_simsiam_symmetrised_without_predictor():
    torch.manual_seed(0)
    z1, z2 = torch.randn(5, 4, dtype=torch.float64), torch.randn(5, 4, dtype=torch.float64)
    out = BYOLLoss()(z1, z2)
    expected = 0.5 * (naive_pair(z1, z2) + naive_pair(z2, z1))
    assert out.loss.item() == pytest.approx(expected, rel=1e-10)


def test_teacher_targets_are_stop_gradient():
    torch.manual_seed(0)
    pred = MLPPredictor(4, hidden_dim=8).double()
    z1, z2 = (torch.randn(6, 4, dtype=torch.float64, requires_grad=True) for _ in range(2))
    t1, t2 = (torch.randn(6, 4, dtype=torch.float64, requires_grad=True) for _ in range(2))
    loss = BYOLLoss(pred)
    out = loss(z1, z2, targets=(t1, t2))
    p1, p2 = pred(z1), pred(z2)
    expected = 0.5 * (naive_pair(p1.detach(), t2.detach()) + naive_pair(p2.detach(), t1.detach()))
    assert out.loss.item() == pytest.approx(expected, rel=1e-10)
    out.loss.backward()
    assert t1.grad is None and t2.grad is None
    assert z1.grad is not None and all(p.grad is not None for p in pred.parameters())


def test_three_views_average_ordered_pairs():
    views = [torch.randn(4, 3, dtype=torch.float64) for _ in range(3)]
    out = BYOLLoss()(*views)
    pairs = [naive_pair(views[i], views[j]) for i in range(3) for j in range(3) if i != j]
    assert out.loss.item() == pytest.approx(sum(pairs) / 6, rel=1e-10)


def test_directpred_predictor_sees_all_views_once():
    pred = DirectPredPredictor(3, rho=0.5)
    z1, z2 = torch.randn(4, 3), torch.randn(4, 3)
    BYOLLoss(pred)(z1, z2)
    both = torch.cat([z1, z2])
    torch.testing.assert_close(pred.corr, 0.5 * both.T @ both / 8)
    assert int(pred.calls) == 1


def test_bad_targets():
    with pytest.raises(ValueError, match="exactly 2 views"):
        BYOLLoss()(torch.randn(3, 2), torch.randn(3, 2), targets=[torch.randn(3, 2)])
    with pytest.raises(ValueError, match="targets have shape"):
        BYOLLoss()(torch.randn(3, 2), torch.randn(3, 2), targets=[torch.randn(3, 4), torch.randn(3, 4)])
