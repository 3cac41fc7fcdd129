import math

import pytest
import torch
import torch.nn.functional as F

from ssl_core.objectives import CLIPLoss


def naive_clip(a, b, scale):
    a, b = F.normalize(a.double(), dim=1), F.normalize(b.double(), dim=1)
    n = a.shape[0]
    total = 0.0
    for i in range(n):
        row = [scale * float(a[i] @ b[j]) for j in range(n)]
        col = [scale * float(b[i] @ a[j]) for j in range(n)]
        total += -row[i] + math.log(sum(math.exp(x) for x in row))
        total += -col[i] + math.log(sum(math.exp(x) for x in col))
    return total / (2 * n)


def test_matches_naive_with_initial_scale():
    torch.manual_seed(0)
    a, b = torch.randn(6, 5, dtype=torch.float64), torch.randn(6, 5, dtype=torch.float64)
    loss = CLIPLoss().double()
    assert loss.logit_scale.item() == pytest.approx(math.log(1 / 0.07))
    out = loss(a, b)
    scale = math.exp(loss.logit_scale.item())
    assert out.loss.item() == pytest.approx(naive_clip(a, b, scale), rel=1e-10)
    assert out.metrics["clip/scale"].item() == pytest.approx(1 / 0.07)


def test_scale_clamped_at_max_and_no_gradient_beyond():
    loss = CLIPLoss()
    with torch.no_grad():
        loss.logit_scale.fill_(math.log(1000.0))
    a, b = torch.randn(4, 3), torch.randn(4, 3)
    out = loss(a, b)
    assert out.metrics["clip/scale"].item() == pytest.approx(100.0)
    assert out.loss.item() == pytest.approx(naive_clip(a, b, 100.0), rel=1e-5)
    out.loss.backward()
    assert loss.logit_scale.grad.item() == 0.0


def test_learnable_flag_and_gradient():
    loss = CLIPLoss()
    loss(torch.randn(4, 3), torch.randn(4, 3)).loss.backward()
    assert loss.logit_scale.grad is not None and loss.logit_scale.grad.item() != 0.0
    fixed = CLIPLoss(learnable=False, init_temperature=0.5)
    assert not list(fixed.parameters())
    assert "logit_scale" in fixed.state_dict()


def test_bad_inputs():
    with pytest.raises(ValueError, match="exactly 2 views"):
        CLIPLoss()(torch.randn(3, 2), torch.randn(3, 2), torch.randn(3, 2))
    with pytest.raises(ValueError, match="init_temperature"):
        CLIPLoss(init_temperature=0.0)
