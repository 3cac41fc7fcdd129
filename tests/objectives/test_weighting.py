import math

import pytest
import torch

from ssl_core.objectives import FixedWeighting, UncertaintyWeighting


def test_fixed_weighting_named_and_positional():
    w = FixedWeighting({"a": 2.0, "b": 0.5})
    a, b = torch.tensor(3.0), torch.tensor(4.0)
    assert w({"a": a, "b": b}).loss.item() == pytest.approx(8.0)
    out = w(a, b)
    assert out.loss.item() == pytest.approx(8.0)
    assert out.metrics["loss/a"].item() == 3.0
    with pytest.raises(ValueError, match="expected losses"):
        w({"a": a, "c": b})
    with pytest.raises(ValueError, match="expected 2 losses"):
        w(a)
    with pytest.raises(ValueError, match="empty"):
        FixedWeighting({})


def test_uncertainty_weighting_closed_form():
    w = UncertaintyWeighting(["rec", "adv"])
    losses = torch.tensor([1.5, 0.2])
    with torch.no_grad():
        w.log_var.copy_(torch.tensor([0.3, -0.7]))
    out = w(losses[0], losses[1])
    sig2 = [math.exp(0.3), math.exp(-0.7)]
    manual = sum(0.5 / s * float(loss) + math.log(1 + s) for s, loss in zip(sig2, losses))
    assert out.loss.item() == pytest.approx(manual, rel=1e-6)
    assert out.metrics["sigma/rec"].item() == pytest.approx(math.sqrt(sig2[0]), rel=1e-6)


def test_uncertainty_weighting_starts_at_one_and_converges_to_optimum():
    w = UncertaintyWeighting(["x"])
    assert w.log_var.item() == 0.0
    loss_value = torch.tensor(3.0)
    assert w(loss_value).loss.item() == pytest.approx(0.5 * 3.0 + math.log(2.0))
    opt = torch.optim.Adam(w.parameters(), lr=0.05)
    for _ in range(400):
        opt.zero_grad()
        w(loss_value).loss.backward()
        opt.step()
    optimum = (3.0 + math.sqrt(9.0 + 24.0)) / 4
    assert w.log_var.exp().item() == pytest.approx(optimum, rel=1e-3)


def test_uncertainty_weighting_bad_names():
    with pytest.raises(ValueError, match="unique"):
        UncertaintyWeighting(["a", "a"])
