import pytest
import torch
import torch.nn.functional as F

from ssl_core.objectives import PositionPredictionLoss
from ssl_core.objectives.position import drop_keys_mask


def test_matches_manual_cross_entropy():
    torch.manual_seed(0)
    loss_fn = PositionPredictionLoss(dim=6, num_positions=5)
    tokens = torch.randn(2, 5, 6)
    out = loss_fn(tokens)
    logits = tokens @ loss_fn.head.weight.T + loss_fn.head.bias
    manual = (
        sum(F.cross_entropy(logits[b, t : t + 1], torch.tensor([t])) for b in range(2) for t in range(5)) / 10
    )
    assert out.loss.item() == pytest.approx(manual.item(), rel=1e-5)
    shuffled = torch.tensor([[4, 3, 2, 1, 0], [0, 1, 2, 3, 4]])
    out2 = loss_fn(tokens, shuffled)
    assert out2.loss.item() == pytest.approx(
        F.cross_entropy(logits.flatten(0, 1), shuffled.flatten()).item(), rel=1e-5
    )


def test_learns_positions_from_content():
    torch.manual_seed(0)
    loss_fn = PositionPredictionLoss(dim=8, num_positions=4)
    content = torch.randn(4, 8)
    opt = torch.optim.SGD(loss_fn.parameters(), lr=0.5)
    for _ in range(50):
        tokens = content.expand(3, 4, 8) + 0.05 * torch.randn(3, 4, 8)
        out = loss_fn(tokens)
        opt.zero_grad()
        out.loss.backward()
        opt.step()
    assert out.metrics["mp3/acc"].item() == 1.0


def test_drop_keys_mask_counts_and_seeding():
    g = torch.Generator().manual_seed(3)
    mask = drop_keys_mask(4, 8, 0.75, generator=g)
    assert mask.dtype == torch.bool and mask.shape == (4, 8)
    assert mask.sum(1).tolist() == [6] * 4
    again = drop_keys_mask(4, 8, 0.75, generator=torch.Generator().manual_seed(3))
    assert torch.equal(mask, again)
    assert drop_keys_mask(2, 3, 0.99).sum(1).tolist() == [2, 2]
    with pytest.raises(ValueError, match="ratio"):
        drop_keys_mask(1, 4, 1.0)


def test_bad_inputs():
    loss_fn = PositionPredictionLoss(dim=3, num_positions=4)
    with pytest.raises(ValueError, match="tokens must be"):
        loss_fn(torch.randn(4, 3))
    with pytest.raises(ValueError, match="outside"):
        loss_fn(torch.randn(1, 5, 3))
    with pytest.raises(ValueError, match="positions must be"):
        loss_fn(torch.randn(1, 2, 3), torch.zeros(1, 3, dtype=torch.long))
    with pytest.raises(ValueError, match="num_positions"):
        PositionPredictionLoss(3, 1)
