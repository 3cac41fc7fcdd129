import pytest
import torch

from ssl_core.nn import sinusoidal_positions
from ssl_core.objectives import JEPALoss, JEPAPredictor


def test_loss_is_mean_of_per_set_mse_with_stop_gradient():
    torch.manual_seed(0)
    preds = [torch.randn(2, n, 4, requires_grad=True) for n in (3, 5)]
    targets = [torch.randn(2, n, 4, requires_grad=True) for n in (3, 5)]
    out = JEPALoss()(preds, targets)
    manual = sum(((p - t) ** 2).sum() / p.numel() for p, t in zip(preds, targets)) / 2
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-6)
    out.loss.backward()
    assert all(t.grad is None for t in targets) and all(p.grad is not None for p in preds)
    single = JEPALoss()(preds[0], targets[0])
    assert single.loss.item() == pytest.approx(((preds[0] - targets[0]) ** 2).mean().item(), rel=1e-6)


def test_loss_bad_inputs():
    with pytest.raises(ValueError, match="prediction sets"):
        JEPALoss()([torch.zeros(1, 2, 3)], [])
    with pytest.raises(ValueError, match="differ"):
        JEPALoss()(torch.zeros(1, 2, 3), torch.zeros(1, 3, 3))


def _predictor():
    torch.manual_seed(0)
    return JEPAPredictor(embed_dim=8, predictor_dim=16, num_positions=10, depth=2, num_heads=4).eval()


def test_predictor_shapes_positions_and_gradients():
    pred = _predictor()
    assert JEPALoss.needs_teacher
    torch.testing.assert_close(pred.positions, sinusoidal_positions(10, 16))
    ctx = torch.randn(3, 4, 8, requires_grad=True)
    ctx_idx = torch.tensor([[0, 1, 2, 3], [0, 4, 5, 6], [0, 7, 8, 9]])
    tgt_idx = torch.tensor([[5, 6], [1, 2], [3, 4]])
    out = pred(ctx, ctx_idx, tgt_idx)
    assert out.shape == (3, 2, 8)
    out.sum().backward()
    assert ctx.grad is not None
    assert all(p.grad is not None for p in pred.parameters())


def test_prediction_depends_on_target_position_and_is_permutation_equivariant():
    pred = _predictor()
    ctx = torch.randn(1, 3, 8)
    ctx_idx = torch.tensor([[0, 1, 2]])
    a = pred(ctx, ctx_idx, torch.tensor([[5, 7]]))
    b = pred(ctx, ctx_idx, torch.tensor([[7, 5]]))
    torch.testing.assert_close(a.flip(1), b, rtol=1e-5, atol=1e-5)
    assert not torch.allclose(a[:, 0], a[:, 1])
    perm = torch.tensor([2, 0, 1])
    c = pred(ctx[:, perm], ctx_idx[:, perm], torch.tensor([[5, 7]]))
    torch.testing.assert_close(a, c, rtol=1e-5, atol=1e-5)


def test_predictor_bad_inputs():
    pred = _predictor()
    with pytest.raises(ValueError, match="context must be"):
        pred(torch.randn(1, 3, 5), torch.zeros(1, 3, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="target_idx"):
        pred(torch.randn(1, 3, 8), torch.zeros(1, 2, dtype=torch.long), torch.zeros(1, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="outside"):
        pred(torch.randn(1, 3, 8), torch.zeros(1, 3, dtype=torch.long), torch.full((1, 2), 10))
    with pytest.raises(ValueError, match="divisible"):
        JEPAPredictor(8, 10, 5, num_heads=4)
