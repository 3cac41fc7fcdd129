"""LARS: one step against the closed form, exclusion of bias/norm, momentum."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.optim import LARS, build_optimizer
from ssl_core.schema import OptimConfig


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


def _naive_lars(params, grads, bufs, *, lr, wd, eta, mom, adapt):  # type: ignore[no-untyped-def]
    for i, (p, g) in enumerate(zip(params, grads)):
        if adapt[i]:
            g = g + wd * p
            q = eta * p.norm() / g.norm() if p.norm() > 0 and g.norm() > 0 else 1.0
            g = q * g
        bufs[i] = g if bufs[i] is None else mom * bufs[i] + g
        params[i] = p - lr * bufs[i]


def test_lars_matches_naive_loop_over_steps() -> None:
    torch.manual_seed(3)
    net = nn.Sequential(nn.Linear(4, 6), nn.LayerNorm(6), nn.Linear(6, 2)).double()
    kw = dict(lr=0.3, wd=0.05, eta=0.01, mom=0.8)
    opt = build_optimizer(
        net,
        OptimConfig(name="lars", lr=kw["lr"], weight_decay=kw["wd"], lars_eta=kw["eta"], momentum=kw["mom"]),
    )
    names = [n for n, _ in net.named_parameters()]
    ref = [p.detach().clone() for p in net.parameters()]
    bufs: list[torch.Tensor | None] = [None] * len(ref)
    adapt = [p.ndim > 1 for p in ref]
    for _ in range(3):
        net(torch.randn(5, 4, dtype=torch.float64)).pow(2).sum().backward()
        grads = [p.grad.detach().clone() for p in net.parameters()]
        _naive_lars(ref, grads, bufs, adapt=adapt, **kw)
        opt.step()
        opt.zero_grad()
    for name, p, want in zip(names, net.parameters(), ref):
        torch.testing.assert_close(p.detach(), want, rtol=1e-12, atol=1e-12, msg=name)
