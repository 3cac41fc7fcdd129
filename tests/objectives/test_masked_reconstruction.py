import pytest
import torch

from ssl_core.objectives import MaskedReconstructionLoss


def _data():
    torch.manual_seed(0)
    pred = torch.randn(3, 5, 4, dtype=torch.float64)
    target = torch.randn(3, 5, 4, dtype=torch.float64)
    mask = torch.rand(3, 5) < 0.5
    mask[0, 0] = True
    return pred, target, mask


@pytest.mark.parametrize("kind", ["l1", "mse"])
def test_token_mask_matches_manual(kind):
    pred, target, mask = _data()
    out = MaskedReconstructionLoss(kind)(pred, target, mask)
    diff = (pred - target)[mask]
    expected = diff.abs().mean() if kind == "l1" else diff.pow(2).mean()
    assert out.loss.item() == pytest.approx(expected.item(), rel=1e-12)


def test_element_mask_and_normalised_targets():
    pred, target, _ = _data()
    mask = torch.rand(3, 5, 4) < 0.3
    out = MaskedReconstructionLoss("mse", norm_targets=True)(pred, target, mask)
    mean = target.mean(-1, keepdim=True)
    std = (target.var(-1, unbiased=False, keepdim=True) + 1e-6).sqrt()
    expected = (pred - (target - mean) / std)[mask].pow(2).mean()
    assert out.loss.item() == pytest.approx(expected.item(), rel=1e-12)


def test_unmasked_positions_do_not_change_loss_or_grads():
    pred, target, mask = _data()
    loss_fn = MaskedReconstructionLoss("l1")
    p1 = pred.clone().requires_grad_()
    out1 = loss_fn(p1, target, mask)
    out1.loss.backward()
    changed = pred.clone()
    changed[~mask] = 1e6 * torch.randn_like(changed[~mask])
    p2 = changed.requires_grad_()
    out2 = loss_fn(p2, target, mask)
    out2.loss.backward()
    assert out1.loss.item() == out2.loss.item()
    torch.testing.assert_close(p1.grad, p2.grad)
    assert torch.all(p1.grad[~mask] == 0)


def test_empty_mask_gives_zero_differentiable_loss():
    pred, target, mask = _data()
    pred.requires_grad_()
    out = MaskedReconstructionLoss()(pred, target, torch.zeros_like(mask))
    out.loss.backward()
    assert out.loss.item() == 0.0 and torch.all(pred.grad == 0)


def test_bad_inputs():
    pred, target, mask = _data()
    loss_fn = MaskedReconstructionLoss()
    with pytest.raises(ValueError, match="pred and target"):
        loss_fn(pred, target[:, :4], mask)
    with pytest.raises(ValueError, match="mask must be"):
        loss_fn(pred, target, mask[:, :3])
    with pytest.raises(ValueError, match="'l1' or 'mse'"):
        MaskedReconstructionLoss("huber")
