import pytest
import torch

from ssl_core.views import GeometricMaskView, TERAAlteration, geometric_mask


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _runs(m: torch.Tensor, value: bool) -> torch.Tensor:
    """Lengths of runs of ``value`` that start and end inside each row (no truncated runs)."""
    lengths = []
    for row in m.tolist():
        i = 0
        while i < len(row):
            j = i
            while j < len(row) and row[j] == row[i]:
                j += 1
            if row[i] == value and i > 0 and j < len(row):
                lengths.append(j - i)
            i = j
    return torch.tensor(lengths, dtype=torch.float64)


def test_geometric_mask_ratio_and_mean_run_length():
    m = geometric_mask(400, 200, ratio=0.5, mean_length=3.0, generator=gen())
    assert m.float().mean() == pytest.approx(0.5, abs=0.02)
    assert _runs(m, True).mean() == pytest.approx(3.0, rel=0.06)
    assert _runs(m, False).mean() == pytest.approx(3.0, rel=0.06)
    m2 = geometric_mask(400, 200, ratio=0.25, mean_length=4.0, generator=gen(1))
    assert m2.float().mean() == pytest.approx(0.25, abs=0.02)
    assert _runs(m2, True).mean() == pytest.approx(4.0, rel=0.06)
    assert _runs(m2, False).mean() == pytest.approx(12.0, rel=0.08)


def test_geometric_mask_reproducible_and_validated():
    assert torch.equal(geometric_mask(4, 50, generator=gen(5)), geometric_mask(4, 50, generator=gen(5)))
    with pytest.raises(ValueError, match="ratio"):
        geometric_mask(2, 10, ratio=1.0)


def test_geometric_view_per_channel():
    x = torch.randn(6, 40, 3) + 5
    views = GeometricMaskView("x", num_views=3)({"x": x}, gen())
    assert list(views) == ["original", "masked_0", "masked_1", "masked_2"]
    v = views["masked_1"]
    assert v["mask"].shape == x.shape
    assert (v["x"][v["mask"]] == 0).all() and torch.equal(v["x"][~v["mask"]], x[~v["mask"]])
    # channels get independent masks
    assert not torch.equal(v["mask"][..., 0], v["mask"][..., 1])
    assert not torch.equal(views["masked_0"]["mask"], v["mask"])


def test_tera_touches_only_masked_positions_and_respects_lengths():
    x = torch.randn(32, 60, 20) + 3.0
    lengths = torch.randint(20, 61, (32,), generator=gen(9))
    tera = TERAAlteration(magnitude=False)
    v = tera({"x": x, "lengths": lengths}, gen())["altered"]
    changed = v["x"] != x
    assert changed.any()
    assert not (changed & ~v["mask"]).any()
    assert torch.equal(v["target"], x)
    pad = torch.arange(60)[None, :] >= lengths[:, None]
    assert not v["mask"][pad].any()


def test_tera_time_statistics_and_modes():
    x = torch.randn(2000, 100, 4) + 3.0
    tera = TERAAlteration(freq=False, magnitude=False, lengths_key=None)
    v = tera({"x": x}, gen())["altered"]
    tmask = v["mask"][..., 0]
    assert 0.12 < tmask.float().mean() < 0.15
    zeroed = ((v["x"] == 0).all(-1) & tmask).any(1)
    unchanged = (v["x"] == x).all(-1).all(1)
    n = len(x)
    assert zeroed.float().mean() == pytest.approx(0.8, abs=0.03)
    assert unchanged.float().mean() == pytest.approx(0.1, abs=0.03)
    replaced = ~zeroed & ~unchanged
    # replaced frames are copies of frames of the same utterance
    b = int(replaced.nonzero()[0])
    for t in tmask[b].nonzero().flatten().tolist():
        assert (v["x"][b, t] == x[b]).all(-1).any()
    assert replaced.sum() > 0.05 * n


def test_tera_frequency_band_and_magnitude():
    x = torch.randn(500, 10, 80) + 3.0
    v = TERAAlteration(time=False, magnitude=False, lengths_key=None)({"x": x}, gen())["altered"]
    band = v["mask"][:, 0, :]
    assert (v["mask"] == band[:, None, :]).all()
    widths = band.sum(1)
    assert widths.max() <= 16 and widths.float().mean() == pytest.approx(8.0, abs=1.0)
    noisy = TERAAlteration(time=False, freq=False, magnitude_p=1.0, lengths_key=None)({"x": x}, gen())[
        "altered"
    ]
    assert (noisy["x"] - x).std() == pytest.approx(0.2, rel=0.05)
    assert not noisy["mask"].any()
    with pytest.raises(ValueError, match=r"\(B, T, F\)"):
        TERAAlteration()({"x": torch.zeros(3, 4)}, gen())
