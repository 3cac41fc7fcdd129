"""LARS: one step against the closed form, exclusion of bias/norm, momentum."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.engine.config import OptimConfig
from ssl_core.optim import LARS, build_optimizer


def test_lars_one_step_closed_form() -> None:
    torch.manual_seed(0)
    net = nn.Linear(5, 3)
    lr, wd, eta, mom = 0.5, 0.01, 0.02, 0.9
    opt = build_optimizer(net, OptimConfig(name="lars", lr=lr, weight_decay=wd, lars_eta=eta, momentum=mom))
    w0, b0 = net.weight.detach().double().clone(), net.bias.detach().double().clone()
    net(torch.randn(7, 5)).pow(2).sum().backward()
    gw, gb = net.weight.grad.double().clone(), net.bias.grad.double().clone()
    opt.step()
    g = gw + wd * w0
    q = eta * w0.norm() / g.norm()
    torch.testing.assert_close(net.weight.detach().double(), w0 - lr * q * g, rtol=1e-6, atol=1e-7)
    # bias: no decay, no trust ratio
    torch.testing.assert_close(net.bias.detach().double(), b0 - lr * gb, rtol=1e-6, atol=1e-7)


def test_lars_momentum_second_step() -> None:
    p = nn.Parameter(torch.tensor([[3.0, 4.0]]))
    opt = LARS([p], lr=1.0, momentum=0.5, weight_decay=0.0, eta=0.1)
    steps = []
    for grad in (torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 0.0]])):
        p_before = p.detach().clone()
        p.grad = grad
        opt.step()
        steps.append((p_before, grad))
    # step 1: q = 0.1 * 5 / 1 = 0.5, mu1 = 0.5 * g1; p1 = p0 - mu1
    p1 = torch.tensor([[3.0, 4.0]]) - 0.5 * torch.tensor([[0.0, 1.0]])
    q2 = 0.1 * p1.norm() / 1.0
    mu2 = 0.5 * (0.5 * torch.tensor([[0.0, 1.0]])) + q2 * torch.tensor([[1.0, 0.0]])
    torch.testing.assert_close(p.detach(), p1 - mu2)


def test_lars_zero_norm_falls_back_to_ratio_one() -> None:
    p = nn.Parameter(torch.zeros(2, 2))
    opt = LARS([p], lr=0.1, momentum=0.0, eta=0.001)
    p.grad = torch.ones(2, 2)
    opt.step()
    torch.testing.assert_close(p.detach(), torch.full((2, 2), -0.1))


def test_lars_rejects_bad_settings() -> None:
    with pytest.raises(ValueError, match="invalid LARS"):
        LARS([nn.Parameter(torch.zeros(1))], lr=-1.0)
