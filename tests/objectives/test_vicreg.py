import math

import pytest
import torch

from ssl_core.objectives import VICRegLoss


def naive_terms(z1, z2, gamma=1.0, eps=1e-4):
    n, d = z1.shape
    inv = sum(float(z1[i, j] - z2[i, j]) ** 2 for i in range(n) for j in range(d)) / (n * d)

    def var_cov(z):
        mean = [sum(float(z[i, j]) for i in range(n)) / n for j in range(d)]
        cov = [
            [
                sum((float(z[i, a]) - mean[a]) * (float(z[i, b]) - mean[b]) for i in range(n)) / (n - 1)
                for b in range(d)
            ]
            for a in range(d)
        ]
        var = sum(max(0.0, gamma - math.sqrt(cov[j][j] + eps)) for j in range(d)) / d
        off = sum(cov[a][b] ** 2 for a in range(d) for b in range(d) if a != b) / d
        return var, off

    v1, c1 = var_cov(z1)
    v2, c2 = var_cov(z2)
    return inv, v1 + v2, c1 + c2


def test_matches_naive_loops():
    torch.manual_seed(0)
    z1, z2 = 0.5 * torch.randn(7, 4, dtype=torch.float64), torch.randn(7, 4, dtype=torch.float64)
    out = VICRegLoss()(z1, z2)
    inv, var, cov = naive_terms(z1, z2)
    assert out.metrics["vicreg/invariance"].item() == pytest.approx(inv, rel=1e-10)
    assert out.metrics["vicreg/variance"].item() == pytest.approx(var, rel=1e-10)
    assert out.metrics["vicreg/covariance"].item() == pytest.approx(cov, rel=1e-10)
    assert out.loss.item() == pytest.approx(25 * inv + 25 * var + cov, rel=1e-10)


def test_custom_weights():
    z1, z2 = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    inv, var, cov = naive_terms(z1, z2, gamma=2.0)
    out = VICRegLoss(lambda_=1.0, mu=2.0, nu=3.0, gamma=2.0)(z1, z2)
    assert out.loss.item() == pytest.approx(inv + 2 * var + 3 * cov, rel=1e-10)


def test_bad_inputs():
    with pytest.raises(ValueError, match="exactly 2 views"):
        VICRegLoss()(torch.randn(4, 2))
    with pytest.raises(ValueError, match="at least 2 rows"):
        VICRegLoss()(torch.randn(1, 2), torch.randn(1, 2))
    with pytest.raises(ValueError, match="weights"):
        VICRegLoss(mu=-1.0)
