"""pad_collate against a naive loop: padding, lengths, stacking, dtype/device, edge cases, errors."""

from __future__ import annotations

from functools import partial

import pytest
import torch

from ssl_core.data import TensorDictDataset, fetch_batch, pad_collate
from ssl_core.errors import DataError
from ssl_core.nn.sequence import lengths_to_mask


def _samples(lengths: list[int], dtype: torch.dtype = torch.float32) -> list[dict]:
    gen = torch.Generator().manual_seed(0)
    return [
        {"x": torch.randn(n, 3, generator=gen).to(dtype), "label": i, "name": f"s{i}"}
        for i, n in enumerate(lengths)
    ]


def _naive(samples: list[dict], key: str, value: float) -> torch.Tensor:
    longest = max(s[key].shape[0] for s in samples)
    rows = []
    for s in samples:
        row = torch.full((longest, *s[key].shape[1:]), value, dtype=s[key].dtype)
        for t in range(s[key].shape[0]):
            row[t] = s[key][t]
        rows.append(row)
    return torch.stack(rows)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64])
def test_pads_like_a_loop_and_keeps_dtype(dtype: torch.dtype) -> None:
    samples = _samples([4, 0, 2, 4], dtype)
    batch = pad_collate(samples, ["x"], value=-1)
    assert batch["x"].dtype == dtype and batch["x"].shape == (4, 4, 3)
    assert torch.equal(batch["x"], _naive(samples, "x", -1))
    assert torch.equal(batch["x_lengths"], torch.tensor([4, 0, 2, 4]))
    assert batch["x_lengths"].dtype == torch.long
    assert torch.equal(batch["label"], torch.tensor([0, 1, 2, 3])) and batch["name"] == [
        "s0",
        "s1",
        "s2",
        "s3",
    ]
    assert list(batch) == ["x", "label", "name", "x_lengths"]
    valid = lengths_to_mask(batch["x_lengths"], batch["x"].shape[1])
    assert torch.equal(batch["x"][~valid], torch.full((6, 3), -1, dtype=dtype))


def test_single_item_and_all_empty() -> None:
    one = _samples([3])
    batch = pad_collate(one, {"x": 0})
    assert torch.equal(batch["x"], one[0]["x"][None]) and batch["x_lengths"].tolist() == [3]
    empty = pad_collate(_samples([0, 0]), ["x"])
    assert empty["x"].shape == (2, 0, 3) and empty["x_lengths"].tolist() == [0, 0]


def test_pads_a_declared_inner_dimension_and_shares_one_lengths_key() -> None:
    gen = torch.Generator().manual_seed(1)
    samples = [
        {"spec": torch.randn(2, n, generator=gen), "tag": torch.randn(n, generator=gen)} for n in (5, 2, 3)
    ]
    batch = pad_collate(samples, {"spec": -1, "tag": 0}, lengths_key="n_frames")
    assert batch["spec"].shape == (3, 2, 5) and batch["tag"].shape == (3, 5)
    for b, s in enumerate(samples):
        n = s["tag"].shape[0]
        assert torch.equal(batch["spec"][b, :, :n], s["spec"]) and torch.equal(batch["tag"][b, :n], s["tag"])
        assert torch.equal(batch["spec"][b, :, n:], torch.zeros(2, 5 - n))
    assert batch["n_frames"].tolist() == [5, 2, 3] and "spec_lengths" not in batch


def test_keeps_the_device_and_works_as_a_recipe_collate() -> None:
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    samples = [{"x": torch.ones(n, device=device)} for n in (1, 3)]
    batch = pad_collate(samples, ["x"])
    assert batch["x"].device == device and batch["x_lengths"].device == device
    ds = TensorDictDataset({"x": torch.arange(12.0).reshape(4, 3)})
    got = fetch_batch(ds, torch.tensor([2, 0]), partial(pad_collate, pad=["x"]))
    assert torch.equal(got["x"], ds.tensors["x"][[2, 0]]) and got["x_lengths"].tolist() == [3, 3]
    already = {"x": torch.zeros(2, 2)}
    assert pad_collate(already, ["x"])["x"] is already["x"]


@pytest.mark.parametrize(
    ("samples", "kwargs", "field", "reason"),
    [
        ([], {"pad": ["x"]}, "<all>", "empty"),
        ([{"x": torch.ones(2)}], {"pad": ["y"]}, "y", "no such entry"),
        ([{"x": torch.ones(2, 3)}, {"x": torch.ones(2, 4)}], {"pad": ["x"]}, "x", "differ beyond"),
        (
            [{"x": torch.ones(2)}, {"x": torch.ones(2, dtype=torch.long)}],
            {"pad": ["x"]},
            "x",
            "dtype or device",
        ),
        ([{"x": torch.ones(2)}, {"x": [1.0]}], {"pad": ["x"]}, "x", "must be a tensor"),
        ([{"x": torch.tensor(1.0)}], {"pad": ["x"]}, "x", "cannot pad dimension"),
        ([{"x": torch.ones(2), "x_lengths": 2}], {"pad": ["x"]}, "x_lengths", "already hold"),
        (
            [{"a": torch.ones(2), "b": torch.ones(3)}],
            {"pad": ["a", "b"], "lengths_key": "n"},
            "b",
            "lengths differ",
        ),
    ],
)
def test_errors_name_the_entry(samples: list, kwargs: dict, field: str, reason: str) -> None:
    with pytest.raises(DataError) as info:
        pad_collate(samples, **kwargs)
    assert info.value.field == field and reason in info.value.reason
