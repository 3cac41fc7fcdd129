import numpy as np
import pytest
import torch

from ssl_core.objectives import DirectPredPredictor
from ssl_core.objectives.directpred import directpred_weight


def closed_form(corr: np.ndarray, eps: float) -> np.ndarray:
    s, u = np.linalg.eigh(corr)
    root = np.sqrt(np.clip(s, 0, None))
    p = root / root.max() + eps
    return u @ np.diag(p) @ u.T


def test_weight_equals_closed_form_from_given_f():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(6, 4))
    corr = a.T @ a / 6
    w = directpred_weight(torch.from_numpy(corr), eps=0.1)
    np.testing.assert_allclose(w.numpy(), closed_form(corr, 0.1), rtol=1e-10, atol=1e-12)
    pred = DirectPredPredictor(4, eps=0.1).double().eval()
    pred.corr.copy_(torch.from_numpy(corr))
    pred.weight.copy_(directpred_weight(pred.corr, pred.eps))
    f = torch.randn(3, 4, dtype=torch.float64)
    np.testing.assert_allclose(pred(f).numpy(), f.numpy() @ closed_form(corr, 0.1).T, rtol=1e-10)


def test_training_call_updates_running_correlation_then_weight():
    torch.manual_seed(0)
    pred = DirectPredPredictor(3, rho=0.3, eps=0.1).double()
    f1, f2 = torch.randn(5, 3, dtype=torch.float64), torch.randn(5, 3, dtype=torch.float64)
    pred(f1)
    out = pred(f2)
    expected_f = 0.3 * (0.7 * f1.T @ f1 / 5) + 0.7 * f2.T @ f2 / 5
    torch.testing.assert_close(pred.corr, expected_f)
    w = torch.from_numpy(closed_form(expected_f.numpy(), 0.1))
    torch.testing.assert_close(out, f2 @ w.T)
    pred.eval()
    pred(torch.randn(5, 3, dtype=torch.float64))
    torch.testing.assert_close(pred.corr, expected_f)


def test_not_trained_by_gradient_and_checkpointed():
    pred = DirectPredPredictor(3, update_every=2)
    assert not list(pred.parameters())
    assert {"corr", "weight", "calls"} <= set(pred.state_dict())
    f = torch.randn(4, 3, requires_grad=True)
    pred(f)
    torch.testing.assert_close(pred.weight, torch.eye(3))
    pred(f).sum().backward()
    assert f.grad is not None
    assert not torch.allclose(pred.weight, torch.eye(3))


@pytest.mark.parametrize(
    "kwargs", [{"dim": 0}, {"dim": 2, "rho": 1.0}, {"dim": 2, "eps": -1}, {"dim": 2, "update_every": 0}]
)
def test_bad_config(kwargs):
    with pytest.raises(ValueError, match="DirectPredPredictor"):
        DirectPredPredictor(**kwargs)


def test_bad_width():
    with pytest.raises(ValueError, match="width 3"):
        DirectPredPredictor(3)(torch.randn(2, 4))


def test_correlation_update_in_float32_under_autocast():
    pred = DirectPredPredictor(3, rho=0.0)
    f = torch.randn(4, 3).to(torch.bfloat16)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        pred(f)
    assert pred.corr.dtype == torch.float32
    torch.testing.assert_close(pred.corr, f.float().T @ f.float() / 4)
