import pytest
import torch

from ssl_core.views import MaskingView, block_mask, random_mask, span_mask


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_random_mask_exact_count_and_uniform():
    m = random_mask(2000, 20, 0.3, generator=gen())
    assert (m.sum(1) == 6).all()
    # every position is equally likely: 0.3 +- sampling noise
    assert torch.allclose(m.float().mean(0), torch.full((20,), 0.3), atol=0.04)


def test_masks_respect_lengths():
    lengths = torch.tensor([10, 4, 0, 20])
    for m in (
        random_mask(4, 20, 0.5, generator=gen(), lengths=lengths),
        block_mask(4, 20, 0.5, generator=gen(), lengths=lengths),
        span_mask(4, 20, 0.5, 3, generator=gen(), lengths=lengths),
    ):
        pos = torch.arange(20).unsqueeze(0)
        assert not (m & (pos >= lengths.unsqueeze(1))).any()
    assert random_mask(4, 20, 0.5, generator=gen(), lengths=lengths).sum(1).tolist() == [5, 2, 0, 10]


def test_block_mask_is_one_contiguous_block():
    m = block_mask(500, 30, 0.4, generator=gen())
    assert (m.sum(1) == 12).all()
    transitions = (torch.diff(m.int(), dim=1) != 0).sum(1) + m[:, 0].int() + m[:, -1].int()
    assert (transitions == 2).all()
    starts = m.int().argmax(1)
    assert starts.min() == 0 and starts.max() == 18


def test_span_mask_statistics():
    m = span_mask(3000, 100, 0.15, 7, generator=gen())
    # two starts per row, spans of 7: coverage <= 14 and about 14 minus overlaps
    cov = m.sum(1).float()
    assert cov.max() <= 14 and cov.min() >= 7
    assert 0.12 < m.float().mean() < 0.15
    runs = torch.diff(torch.nn.functional.pad(m.int(), (1, 1)), dim=1)
    run_lengths = (runs == -1).nonzero()[:, 1] - (runs == 1).nonzero()[:, 1]
    assert (run_lengths >= 7).all()


def test_masks_reproducible_and_seed_dependent():
    for fn in (
        lambda g: random_mask(8, 30, 0.5, generator=g),
        lambda g: block_mask(8, 30, 0.5, generator=g),
        lambda g: span_mask(8, 30, 0.3, 4, generator=g),
    ):
        assert torch.equal(fn(gen(1)), fn(gen(1)))
        assert not torch.equal(fn(gen(1)), fn(gen(2)))


def test_bad_ratio_and_span():
    with pytest.raises(ValueError, match="ratio"):
        random_mask(2, 5, 1.5)
    with pytest.raises(ValueError, match="span"):
        span_mask(2, 5, 0.5, 0)
    with pytest.raises(ValueError, match="kind"):
        MaskingView(kind="checkerboard")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["random", "block", "span"])
def test_masking_view_any_axis(kind):
    x = torch.randn(4, 3, 16, 5)
    view = MaskingView("x", axis=2, kind=kind, ratio=0.5, span=4, fill=-1.0)
    views = view({"x": x, "y": torch.arange(4)}, gen())
    assert set(views) == set(view.view_names) == {"original", "masked"}
    mask = views["masked"]["mask"]
    assert mask.shape == (4, 16)
    out = views["masked"]["x"]
    m = mask[:, None, :, None].expand_as(x)
    assert (out[m] == -1.0).all()
    assert torch.equal(out[~m], x[~m])
    assert views["original"]["x"] is x
    with pytest.raises(KeyError, match="'z'"):
        MaskingView("z")({"x": x}, gen())
