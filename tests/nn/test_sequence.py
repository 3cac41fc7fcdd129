"""lengths_to_mask, masked_mean and masked_max against naive loops, edge cases and gradients."""

from __future__ import annotations

import pytest
import torch

from ssl_core.nn.sequence import lengths_to_mask, masked_max, masked_mean


def test_lengths_to_mask_against_a_loop() -> None:
    lengths = torch.tensor([3, 0, 5, 1])
    mask = lengths_to_mask(lengths, 6)
    expected = torch.tensor([[t < int(n) for t in range(6)] for n in lengths])
    assert mask.dtype == torch.bool and torch.equal(mask, expected)
    assert torch.equal(lengths_to_mask(lengths), expected[:, :5])  # default: the longest row


def test_lengths_to_mask_edges() -> None:
    assert lengths_to_mask(torch.tensor([2]), 2).tolist() == [[True, True]]
    assert lengths_to_mask(torch.tensor([0, 0])).shape == (2, 0)
    assert lengths_to_mask(torch.zeros(0, dtype=torch.long)).shape == (0, 0)
    assert lengths_to_mask(torch.tensor([7, -1]), 3).tolist() == [[True] * 3, [False] * 3]
    with pytest.raises(ValueError, match=r"must be \(B,\)"):
        lengths_to_mask(torch.ones(2, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="max_len"):
        lengths_to_mask(torch.tensor([1]), -1)


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(4, 7, 3, generator=gen, dtype=torch.float64)
    return x, lengths_to_mask(torch.tensor([7, 3, 0, 1]), 7)


def test_masked_mean_pools_valid_frames_like_a_loop() -> None:
    x, valid = _data()
    got = masked_mean(x, valid, dim=1)
    for b in range(4):
        n = int(valid[b].sum())
        expected = x[b, :n].mean(0) if n else torch.zeros(3, dtype=x.dtype)
        assert torch.allclose(got[b], expected)
    assert got.shape == (4, 3) and got.dtype == torch.float64
    assert torch.equal(masked_mean(x, valid.long(), dim=1), got)  # nonzero = valid
    assert torch.equal(masked_mean(x, None, dim=1), x.mean(1)) and torch.equal(masked_mean(x, None), x.mean())


def test_masked_mean_over_everything_counts_each_selected_entry() -> None:
    x, valid = _data()
    selected = [x[b, t, f] for b in range(4) for t in range(7) for f in range(3) if valid[b, t]]
    assert torch.allclose(masked_mean(x, valid), torch.stack(selected).mean())
    entries = torch.rand(4, 7, 3, generator=torch.Generator().manual_seed(1)) < 0.3
    assert torch.allclose(masked_mean(x, entries), x[entries].mean())
    assert torch.allclose(
        masked_mean(x, valid, dim=(1, 2)),
        torch.stack([x[b][valid[b]].mean() if valid[b].any() else x.new_zeros(()) for b in range(4)]),
    )


def test_masked_mean_ignores_nan_padding_and_all_invalid_is_zero_with_zero_gradient() -> None:
    x, valid = _data()
    x = x.masked_fill(~valid.unsqueeze(-1), float("nan")).requires_grad_(True)
    out = masked_mean(x, valid, dim=1)
    assert torch.isfinite(out).all() and torch.equal(out[2], torch.zeros(3, dtype=x.dtype))
    out.sum().backward()
    assert x.grad is not None
    assert torch.equal(x.grad[~valid], torch.zeros_like(x.grad[~valid]))
    assert torch.allclose(x.grad[1, :3], torch.full((3, 3), 1 / 3, dtype=x.dtype))
    empty = masked_mean(torch.ones(2, 3), torch.zeros(2, 3, dtype=torch.bool))
    assert empty.item() == 0.0


def test_masked_max_against_a_loop() -> None:
    x, valid = _data()
    x = x.requires_grad_(True)
    got = masked_max(x, valid, dim=1)
    for b in range(4):
        n = int(valid[b].sum())
        expected = x[b, :n].amax(0) if n else torch.zeros(3, dtype=x.dtype)
        assert torch.equal(got[b], expected)
    got.sum().backward()
    assert x.grad is not None and torch.equal(x.grad[2], torch.zeros(7, 3, dtype=x.dtype))
    assert torch.equal(x.grad[~valid], torch.zeros_like(x.grad[~valid]))
    ints = masked_max(torch.tensor([[5, 9, 2]]), torch.tensor([[True, False, True]]), dim=1)
    assert ints.tolist() == [5]


def test_masks_that_do_not_match_the_leading_dimensions_are_refused() -> None:
    x, _ = _data()
    with pytest.raises(ValueError, match="leading dimensions"):
        masked_mean(x, torch.ones(4, 6, dtype=torch.bool), dim=1)
    with pytest.raises(ValueError, match="leading dimensions"):
        masked_max(x, torch.ones(4, 7, 3, 1, dtype=torch.bool), dim=1)
