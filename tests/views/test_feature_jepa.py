import math

import pytest
import torch

from ssl_core.views import ContextTargetMasks, FeatureSubsetView, mutual_information_matrix


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _naive_mi(a: list[int], b: list[int]) -> float:
    n = len(a)
    total = 0.0
    for u in set(a):
        for v in set(b):
            puv = sum(1 for i in range(n) if a[i] == u and b[i] == v) / n
            if puv > 0:
                total += puv * math.log(puv / ((a.count(u) / n) * (b.count(v) / n)))
    return total


def test_mutual_information_matches_naive_counts():
    g = gen()
    base = torch.randint(4, (300,), generator=g)
    codes = torch.stack(
        [base, (base + torch.randint(2, (300,), generator=g)) % 5, torch.randint(3, (300,), generator=g)],
        dim=1,
    )
    mi = mutual_information_matrix(codes)
    for i in range(3):
        for j in range(3):
            assert mi[i, j].item() == pytest.approx(
                _naive_mi(codes[:, i].tolist(), codes[:, j].tolist()), abs=1e-10
            )
    assert torch.allclose(mi, mi.T)
    with pytest.raises(ValueError, match=r"codes\[:, 1\]"):
        mutual_information_matrix(torch.tensor([[0, -1], [1, 2]]))
    with pytest.raises(ValueError, match="integer"):
        mutual_information_matrix(torch.zeros(3, 2))


def test_random_feature_subsets_are_complementary_halves():
    x = torch.randn(64, 10) + 5
    views = FeatureSubsetView("x")({"x": x}, gen())
    ma, mb = views["view_a"]["mask"], views["view_b"]["mask"]
    assert torch.equal(ma, ~mb) and (ma.sum(1) == 5).all()
    assert (views["view_a"]["x"][ma] == 0).all() and torch.equal(views["view_a"]["x"][~ma], x[~ma])
    assert torch.equal(views["view_b"]["x"][ma], x[ma])
    assert not torch.equal(ma[0], ma[1])


def test_correlated_feature_masking_groups_by_mi():
    g = gen(1)
    a, b = torch.randint(6, (500,), generator=g), torch.randint(6, (500,), generator=g)
    # features 0, 2, 4 are copies of a; 1, 3, 5 copies of b
    codes = torch.stack([a, b, a, b, a, b], dim=1)
    mi = mutual_information_matrix(codes)
    view = FeatureSubsetView("x", "correlated", mi=mi, fill=torch.arange(6, dtype=torch.float32) * -1)
    for seed in range(10):
        views = view({"x": codes.float()[:8]}, gen(seed))
        m = views["view_a"]["mask"][0]
        assert m.tolist() in ([True, False] * 3, [False, True] * 3)
        assert (views["view_a"]["mask"] == m).all()
        filled = views["view_a"]["x"][:, m]
        assert torch.equal(filled, (-torch.arange(6.0))[m].expand_as(filled))
    with pytest.raises(ValueError, match="mi"):
        FeatureSubsetView("x", "correlated")


def test_context_target_masks_disjoint_and_offset():
    ctm = ContextTargetMasks(20, num_targets=4, n_always_context=2)
    for seed in range(20):
        views = ctm({"x": torch.zeros(16, 22)}, gen(seed))["masks"]
        ctx, tgt = views["context_idx"], views["target_idx"]
        assert ctx.dtype == torch.long and tgt.dtype == torch.long
        assert tgt.shape[:2] == (4, 16)
        n_c, n_t = ctx.shape[1] - 2, tgt.shape[2]
        assert n_c >= 1 and n_t >= 1 and n_c + n_t <= 20
        assert (ctx[:, :2] == torch.tensor([0, 1])).all()
        assert (ctx[:, 2:] >= 2).all() and (tgt >= 2).all() and (tgt < 22).all() and (ctx < 22).all()
        for b in range(16):
            c = set(ctx[b].tolist())
            assert len(c) == ctx.shape[1]
            for k in range(4):
                t = set(tgt[k, b].tolist())
                assert len(t) == n_t and not (t & c)


def test_context_target_sizes_follow_ranges_and_reproducible():
    ctm = ContextTargetMasks(100, ctx_range=(0.2, 0.3), tgt_range=(0.1, 0.2), n_always_context=0)
    c1, t1 = ctm.sample(4, gen(3))
    c2, t2 = ctm.sample(4, gen(3))
    assert torch.equal(c1, c2) and torch.equal(t1, t2)
    sizes = [ctm.sample(2, gen(s))[0].shape[1] for s in range(50)]
    assert min(sizes) >= 20 and max(sizes) <= 30
    with pytest.raises(ValueError, match="no n_c"):
        ContextTargetMasks(10, ctx_range=(0.8, 0.9), tgt_range=(0.5, 0.6)).sample(2)
    with pytest.raises(ValueError, match="ctx_range"):
        ContextTargetMasks(10, ctx_range=(0.5, 0.2))


def test_correlated_mi_shape_mismatch_and_missing_key():
    view = FeatureSubsetView("x", "correlated", mi=torch.eye(4, dtype=torch.float64))
    with pytest.raises(ValueError, match="4 features|has 6 features"):
        view({"x": torch.zeros(2, 6)}, gen())
    with pytest.raises(KeyError, match="'x'"):
        FeatureSubsetView("x")({"z": torch.zeros(2, 6)}, gen())
