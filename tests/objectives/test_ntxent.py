import math

import pytest
import torch
import torch.nn.functional as F

from ssl_core.objectives import NTXentLoss


def naive_ntxent(views, tau):
    z = [F.normalize(v.double(), dim=1) for v in views]
    num_views, batch = len(z), z[0].shape[0]
    items = [(v, b) for v in range(num_views) for b in range(batch)]
    total, count = 0.0, 0
    for v, b in items:
        anchor = z[v][b]
        denom = sum(math.exp(float(anchor @ z[u][c]) / tau) for u, c in items if (u, c) != (v, b))
        for u in range(num_views):
            if u != v:
                total += -math.log(math.exp(float(anchor @ z[u][b]) / tau) / denom)
                count += 1
    return total / count


@pytest.mark.parametrize("num_views", [2, 3])
def test_matches_naive_double_loop_float64(num_views):
    torch.manual_seed(0)
    views = [torch.randn(5, 4, dtype=torch.float64) for _ in range(num_views)]
    out = NTXentLoss(temperature=0.3)(*views)
    assert out.loss.dtype == torch.float64
    assert out.loss.item() == pytest.approx(naive_ntxent(views, 0.3), rel=1e-10)


def test_accuracy_and_perfect_alignment():
    base = torch.eye(6)
    out = NTXentLoss(temperature=0.1)(base, base.clone())
    assert out.metrics["ntxent/acc"].item() == 1.0
    shuffled = NTXentLoss(temperature=0.1)(base, base.roll(1, dims=0))
    assert shuffled.metrics["ntxent/acc"].item() == 0.0
    assert shuffled.loss > out.loss


def test_gradient_matches_autograd_of_naive_formula():
    torch.manual_seed(1)
    views = [torch.randn(4, 3, dtype=torch.float64, requires_grad=True) for _ in range(2)]
    NTXentLoss(0.5)(*views).loss.backward()
    got = [v.grad.clone() for v in views]
    for v in views:
        v.grad = None
    z = F.normalize(torch.cat(views), dim=1)
    sim = z @ z.T / 0.5
    sim = sim.masked_fill(torch.eye(8, dtype=torch.bool), float("-inf"))
    labels = torch.cat([torch.arange(4, 8), torch.arange(0, 4)])
    F.cross_entropy(sim, labels).backward()
    for g, v in zip(got, views):
        torch.testing.assert_close(g, v.grad)


def test_bad_inputs():
    loss = NTXentLoss()
    with pytest.raises(ValueError, match="at least 2 views"):
        loss(torch.randn(3, 2))
    with pytest.raises(ValueError, match="view 1 has shape"):
        loss(torch.randn(3, 2), torch.randn(4, 2))
    with pytest.raises(ValueError, match=r"\(batch, dim\)"):
        loss(torch.randn(3, 2, 2), torch.randn(3, 2, 2))
    with pytest.raises(ValueError, match="temperature"):
        NTXentLoss(temperature=0.0)
    assert NTXentLoss.batch_coupled
