import math

import pytest
import torch

from ssl_core.objectives import BarlowTwinsLoss


def naive_barlow(z1, z2, lambd, eps=1e-5):
    n, d = z1.shape

    def standardise(z):
        cols = []
        for j in range(d):
            col = [float(z[i, j]) for i in range(n)]
            mean = sum(col) / n
            std = math.sqrt(sum((x - mean) ** 2 for x in col) / n + eps)
            cols.append([(x - mean) / std for x in col])
        return cols

    a, b = standardise(z1), standardise(z2)
    c = [[sum(a[i][k] * b[j][k] for k in range(n)) / n for j in range(d)] for i in range(d)]
    on = sum((1 - c[i][i]) ** 2 for i in range(d))
    off = sum(c[i][j] ** 2 for i in range(d) for j in range(d) if i != j)
    return on + lambd * off


def test_matches_naive_loops():
    torch.manual_seed(0)
    z1 = torch.randn(8, 5, dtype=torch.float64)
    z2 = z1 + 0.3 * torch.randn(8, 5, dtype=torch.float64)
    for lambd in (5e-3, 0.5):
        out = BarlowTwinsLoss(lambda_=lambd)(z1, z2)
        assert out.loss.item() == pytest.approx(naive_barlow(z1, z2, lambd), rel=1e-10)


def test_identical_decorrelated_views_give_near_zero_loss():
    z = torch.linalg.qr(torch.randn(16, 4, dtype=torch.float64))[0]
    z = z - z.mean(0)
    out = BarlowTwinsLoss()(z, z)
    assert out.metrics["barlow/on_diag"].item() == pytest.approx(0.0, abs=1e-3)


def test_bad_inputs():
    with pytest.raises(ValueError, match="at least 2 rows"):
        BarlowTwinsLoss()(torch.randn(1, 2), torch.randn(1, 2))
    with pytest.raises(ValueError, match="lambda_"):
        BarlowTwinsLoss(lambda_=-1.0)
