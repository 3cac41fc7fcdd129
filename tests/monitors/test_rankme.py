import math

import pytest
import torch

from ssl_core.monitors import alignment, feature_std, label_free_metrics, rankme, uniformity


def _rank_r(n: int, d: int, r: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    u, _ = torch.linalg.qr(torch.randn(n, r, generator=g, dtype=torch.float64))
    v, _ = torch.linalg.qr(torch.randn(d, r, generator=g, dtype=torch.float64))
    return (u * 3.0) @ v.T


@pytest.mark.parametrize("r", [1, 4, 10])
def test_rankme_equals_rank_for_equal_singular_values(r):
    z = _rank_r(200, 32, r)
    assert rankme(z) == pytest.approx(r, rel=1e-4)


def test_rankme_matches_naive_entropy():
    z = torch.randn(50, 8, generator=torch.Generator().manual_seed(1))
    s = torch.linalg.svdvals(z.double()).tolist()
    p = [v / sum(s) + 1e-7 for v in s]
    expected = math.exp(-sum(q * math.log(q) for q in p))
    assert rankme(z) == pytest.approx(expected, rel=1e-9)


def test_rankme_rejects_non_matrix():
    with pytest.raises(ValueError, match="rankme"):
        rankme(torch.zeros(3))


def test_feature_std_collapse_and_isotropic():
    g = torch.Generator().manual_seed(0)
    collapsed = torch.ones(100, 16) + 1e-6 * torch.randn(100, 16, generator=g)
    iso = torch.randn(5000, 16, generator=g)
    assert feature_std(collapsed) < 1e-4
    assert feature_std(iso) == pytest.approx(1 / math.sqrt(16), rel=0.05)


def test_alignment_uniformity_reference():
    g = torch.Generator().manual_seed(0)
    z1, z2 = torch.randn(20, 5, generator=g), torch.randn(20, 5, generator=g)
    a = torch.nn.functional.normalize(z1, dim=1)
    b = torch.nn.functional.normalize(z2, dim=1)
    ref_align = sum(float((a[i] - b[i]).norm() ** 2) for i in range(20)) / 20
    assert alignment(z1, z2) == pytest.approx(ref_align, rel=1e-5)
    assert alignment(z1, z1) == pytest.approx(0.0, abs=1e-6)
    pairs = [math.exp(-2 * float((a[i] - a[j]).norm() ** 2)) for i in range(20) for j in range(i + 1, 20)]
    assert uniformity(z1) == pytest.approx(math.log(sum(pairs) / len(pairs)), rel=1e-4)


def test_label_free_metrics_keys():
    out = label_free_metrics(torch.randn(64, 8))
    assert set(out) == {"monitor/rankme", "monitor/std"}
    assert 1.0 <= out["monitor/rankme"] <= 8.0
