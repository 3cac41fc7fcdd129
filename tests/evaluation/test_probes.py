import pytest
import torch

from ssl_core.evaluation import knn_classify, linear_probe, mlp_probe, over_seeds


def _separable(n: int, seed: int):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 10, generator=g)
    w = torch.randn(10, generator=torch.Generator().manual_seed(7))
    y = (x @ w > 0).long()
    return x, y


def test_linear_probe_recovers_separable_problem():
    x, y = _separable(400, 0)
    xt, yt = _separable(200, 1)
    out = linear_probe(x, y, xt, yt, epochs=200, lr=5e-2)
    assert out["acc"] > 0.95


def test_linear_probe_random_labels_near_chance():
    x, _ = _separable(400, 0)
    xt, _ = _separable(400, 1)
    g = torch.Generator().manual_seed(3)
    out = linear_probe(x, torch.randint(2, (400,), generator=g), xt, torch.randint(2, (400,), generator=g))
    assert out["acc"] < 0.65


def test_linear_probe_regression_rmse():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(300, 5, generator=g)
    w = torch.tensor([1.0, -2.0, 0.5, 0.0, 3.0])
    y = x @ w + 10.0
    out = linear_probe(x[:200], y[:200], x[200:], y[200:], task="regression", epochs=300, lr=5e-2)
    assert out["rmse"] < 0.1
    assert out["mae"] <= out["rmse"] + 1e-9


def test_mlp_probe_solves_xor():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(600, 2, generator=g) * 2 - 1
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).long()
    assert linear_probe(x[:400], y[:400], x[400:], y[400:])["acc"] < 0.75
    assert mlp_probe(x[:400], y[:400], x[400:], y[400:], epochs=300, hidden=64)["acc"] > 0.9


def test_probe_rejects_unknown_task():
    x, y = _separable(10, 0)
    with pytest.raises(ValueError, match="task"):
        linear_probe(x, y, x, y, task="ranking")  # type: ignore[arg-type]


def test_knn_matches_brute_force():
    g = torch.Generator().manual_seed(0)
    tr, te = torch.randn(80, 6, generator=g), torch.randn(30, 6, generator=g)
    ytr, yte = torch.randint(3, (80,), generator=g), torch.randint(3, (30,), generator=g)
    k = 7
    correct = 0
    for i in range(30):
        sims = [float(torch.nn.functional.cosine_similarity(te[i], tr[j], dim=0)) for j in range(80)]
        nn_idx = sorted(range(80), key=lambda j: -sims[j])[:k]
        counts = [sum(1 for j in nn_idx if int(ytr[j]) == c) for c in range(3)]
        pred = counts.index(max(counts))
        correct += int(pred == int(yte[i]))
    assert knn_classify(tr, ytr, te, yte, k=k) == pytest.approx(correct / 30)


def test_over_seeds_mean_std():
    out = over_seeds(lambda s: {"acc": float(s), "one": 1.0}, [1, 2, 3])
    assert out["acc"] == pytest.approx((2.0, 1.0))
    assert out["one"] == (1.0, 0.0)
    with pytest.raises(ValueError, match="different metrics"):
        over_seeds(lambda s: {"a": 1.0} if s == 0 else {"b": 1.0}, [0, 1])


def test_standardisation_matches_the_closed_form_and_floors_constant_columns() -> None:
    from ssl_core.evaluation import standardisation

    x = torch.tensor([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]], dtype=torch.float64)
    mean, std = standardisation(x)
    torch.testing.assert_close(mean, torch.tensor([3.0, 5.0]))
    torch.testing.assert_close(std, torch.tensor([(8.0 / 3.0) ** 0.5, 1e-6]))


def test_probe_items_reduce_to_the_probe_metrics() -> None:
    from ssl_core.evaluation.probes import ITEM_REDUCE, probe_items

    g = torch.Generator().manual_seed(0)
    x = torch.randn(120, 5, generator=g)
    y_cls, y_reg = (x[:, 0] > 0).long(), x[:, 1] * 2 + 0.1 * torch.randn(120, generator=g)
    for y, task in ((y_cls, "classification"), (y_reg, "regression")):
        items = probe_items(x[:60], y[:60], x[60:], y[60:], task=task, seed=3)
        ref = linear_probe(x[:60], y[:60], x[60:], y[60:], task=task, seed=3)
        assert set(items) == set(ref)
        for metric, scores in items.items():
            assert scores.shape == (60,)
            assert ITEM_REDUCE[metric](scores) == pytest.approx(ref[metric], rel=1e-5)
