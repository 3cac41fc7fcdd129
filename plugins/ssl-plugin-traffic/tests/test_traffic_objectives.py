"""ST-SSDL losses: naive references, masking, and the official stop-gradient placement."""

from __future__ import annotations

import math

import torch
from ssl_plugin_traffic.model import teacher_forcing_prob
from ssl_plugin_traffic.objectives import (
    DeviationLoss,
    PrototypeTripletLoss,
    STSSDLObjective,
    masked_mae,
    masked_mape,
    masked_rmse,
)

from ssl_core.testing.contracts import check_objective


def test_masked_metrics_ignore_missing_labels() -> None:
    target = torch.tensor([[10.0, 0.0, 1e-4, 20.0]])
    pred = torch.tensor([[12.0, 99.0, 99.0, 17.0]])
    assert float(masked_mae(pred, target)) == 2.5
    assert abs(float(masked_rmse(pred, target)) - math.sqrt((4 + 9) / 2)) < 1e-6
    assert abs(float(masked_mape(pred, target)) - (0.2 + 0.15) / 2) < 1e-7
    assert float(masked_mae(pred, torch.zeros_like(target))) == 0.0  # all missing: no NaN


def test_triplet_matches_naive_formula() -> None:
    torch.manual_seed(0)
    q, p, n = (torch.randn(3, 4, 5, dtype=torch.float64) for _ in range(3))
    naive = torch.clamp((q - p + 1e-6).norm(dim=-1) - (q - n + 1e-6).norm(dim=-1) + 0.5, min=0).mean()
    torch.testing.assert_close(PrototypeTripletLoss(0.5)(q, p, n).loss, naive)


def test_deviation_matches_naive_formula() -> None:
    torch.manual_seed(1)
    q, qa, p, pa = (torch.randn(2, 3, 4, dtype=torch.float64) for _ in range(4))
    naive = ((q - qa).abs().sum(-1) - (p - pa).abs().sum(-1)).abs().mean()
    torch.testing.assert_close(DeviationLoss()(q, qa, p, pa).loss, naive)


def test_stop_gradient_on_queries() -> None:
    q, qa, p, pa, n = (torch.randn(2, 3, 4, requires_grad=True) for _ in range(5))
    loss = PrototypeTripletLoss()(q, p, n).loss + DeviationLoss()(q, qa, p, pa).loss
    loss.backward()
    assert q.grad is None and qa.grad is None  # queries are detached: SSL shapes only prototypes
    assert p.grad is not None and n.grad is not None and pa.grad is not None


def test_objective_contract_and_ablation() -> None:
    torch.manual_seed(2)
    pred = torch.rand(2, 3, 4, requires_grad=True)
    target = torch.rand(2, 3, 4) + 0.5
    p, n, pa = (torch.randn(2, 4, 5, requires_grad=True) for _ in range(3))
    q, qa = torch.randn(2, 4, 5), torch.randn(2, 4, 5)
    out = check_objective(STSSDLObjective(0.1, 1.0), (pred, target, q, p, n, qa, pa))
    assert set(out.metrics) == {"mae", "l_c", "l_d"}
    expect = masked_mae(pred, target) + 0.1 * out.metrics["l_c"] + out.metrics["l_d"]
    torch.testing.assert_close(out.loss.detach(), expect.detach())
    ablation = STSSDLObjective(0.0, 0.0)(pred, target, q, p, n)
    torch.testing.assert_close(ablation.loss, masked_mae(pred, target))
    assert float(ablation.metrics["l_c"]) == 0 and float(ablation.metrics["l_d"]) == 0


def test_teacher_forcing_schedule() -> None:
    assert teacher_forcing_prob(0, 2000) == 2000 / 2001
    assert abs(teacher_forcing_prob(20000, 2000) - 2000 / (2000 + math.exp(10))) < 1e-12
    assert teacher_forcing_prob(10**9, 2000) < 1e-200
