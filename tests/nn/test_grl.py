import pytest
import torch

from ssl_core.nn import GradientReversal, grad_reverse


def test_forward_identity_backward_reversed():
    x = torch.randn(4, 3, requires_grad=True)
    w = torch.randn(4, 3)
    y = grad_reverse(x, 0.5)
    assert torch.equal(y, x)
    (y * w).sum().backward()
    torch.testing.assert_close(x.grad, -0.5 * w)


def test_module_uses_current_lambda():
    layer = GradientReversal(1.0)
    layer.lambd = 2.0
    x = torch.ones(3, requires_grad=True)
    layer(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.full((3,), -2.0))
    assert "lambd=2.0" in repr(layer)


def test_negative_lambda_rejected():
    with pytest.raises(ValueError, match="lambd"):
        grad_reverse(torch.ones(1), -1.0)
    with pytest.raises(ValueError, match="lambd"):
        GradientReversal(-0.1)
