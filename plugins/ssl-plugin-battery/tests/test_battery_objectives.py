"""GenEV's losses and normalisation against float64 naive references (Arunan et al. 2025; SimMTM)."""

from __future__ import annotations

import math

import torch
from ssl_plugin_battery.encoders import instance_norm
from ssl_plugin_battery.method import GenEV
from ssl_plugin_battery.objectives import (
    MultiPositiveContrastive,
    SimilarityWeightedReconstruction,
    positive_mask,
)


def _cos(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(a @ b / (a.norm() * b.norm()))


def naive_contrastive(s: torch.Tensor, k: int, tau: float) -> float:
    """-1/N sum_i sum_{j in P(i)} log(exp(S_ij/tau) / sum_{l != i} exp(S_il/tau)), loops in float64."""
    n, b = s.shape[0], s.shape[0] // (k + 1)
    total = 0.0
    for i in range(n):
        denom = sum(math.exp(_cos(s[i], s[m]) / tau) for m in range(n) if m != i)
        for j in range(n):
            if j != i and j % b == i % b:
                total -= math.log(math.exp(_cos(s[i], s[j]) / tau) / denom)
    return total / n


def test_contrastive_matches_naive_multi_positive_reference():
    torch.manual_seed(0)
    for b, k in ((3, 3), (4, 1), (2, 2)):
        s = torch.randn(b * (k + 1), 5, dtype=torch.float64)
        got = MultiPositiveContrastive(k, 0.2)(s).loss
        assert abs(float(got) - naive_contrastive(s, k, 0.2)) < 1e-9


def test_positive_sets_exclude_self_and_hold_the_views_of_one_snippet():
    mask = positive_mask(8, 2)  # B = 2, K = 3
    assert not mask.diagonal().any()
    assert sorted(torch.nonzero(mask[1]).ravel().tolist()) == [3, 5, 7]
    assert mask.sum(1).tolist() == [3] * 8


def naive_reconstruction(s, tokens, target, head, tau):
    """MSE(head(sum_{j != i} w_ij H_j), x_i) over originals, w_ij = softmax over j != i of S_ij / tau."""
    b, n = target.shape[0], s.shape[0]
    err = 0.0
    for i in range(b):
        logits = [(_cos(s[i], s[j]) / tau) if j != i else -math.inf for j in range(n)]
        z = sum(math.exp(x) for x in logits)
        agg = sum((math.exp(logits[j]) / z) * tokens[j] for j in range(n) if j != i)
        err += float(((head(agg.unsqueeze(0))[0] - target[i]) ** 2).sum())
    return err / target.numel()


def test_weighted_reconstruction_matches_naive_reference_and_excludes_self():
    torch.manual_seed(1)
    b, k, t, d, c = 3, 3, 6, 4, 2
    head = torch.nn.Sequential(
        torch.nn.Flatten(1), torch.nn.Linear(t * d, t * c), torch.nn.Unflatten(1, (t, c))
    ).double()
    loss = SimilarityWeightedReconstruction(head, 0.2)
    s, tokens = (
        torch.randn(b * (k + 1), 5, dtype=torch.float64),
        torch.randn(b * (k + 1), t, d, dtype=torch.float64),
    )
    target = torch.randn(b, t, c, dtype=torch.float64)
    assert (
        abs(float(loss(s, tokens, target).loss) - naive_reconstruction(s, tokens, target, head, 0.2)) < 1e-9
    )
    w = loss.weights(s)
    assert float(w.diagonal().abs().max()) == 0.0 and torch.allclose(
        w.sum(1), torch.ones(len(w), dtype=torch.float64)
    )
    # a row identical to i's own does not leak: the weight on self is zero even when S_ii is the maximum
    s2 = s.clone()
    s2[1] = s2[0]
    assert float(loss.weights(s2)[0, 0]) == 0.0 and float(loss.weights(s2)[0, 1]) > 0.0


def test_instance_norm_uses_only_unmasked_points():
    x = torch.tensor([[[1.0], [3.0], [100.0], [5.0]]], dtype=torch.float64)
    mask = torch.tensor([[[False], [False], [True], [False]]])
    xn, mean, std = instance_norm(x, mask)
    ref_mean, ref_var = 3.0, ((1 - 3) ** 2 + 0 + (5 - 3) ** 2) / 3
    assert abs(float(mean) - ref_mean) < 1e-12 and abs(float(std) - math.sqrt(ref_var + 1e-5)) < 1e-12
    assert float(xn[0, 2, 0]) == 0.0 and abs(float(xn[0, 0, 0]) + 2 / math.sqrt(ref_var + 1e-5)) < 1e-12


def test_genev_step_trains_all_parts_and_ablations_drop_a_loss():
    torch.manual_seed(0)
    batch = {"x": torch.randn(4, 16, 4)}
    for loss, names in (("full", {"loss/contrastive", "loss/reconstruction"}), ("reconstruction", {"loss/reconstruction"}),
                        ("contrastive", {"loss/contrastive"})):  # fmt: skip
        module = GenEV(4, 16, hidden=4, proj_dim=8, loss=loss)
        out = module(batch, torch.Generator().manual_seed(0))
        out.loss.backward()
        assert names == {k for k in out.metrics if k.startswith("loss/")}
        assert module.encoder.lstm.weight_ih_l0.grad is not None and torch.isfinite(out.loss)
    assert module.embed(batch).shape == (4, 8)
