"""Tests of ssl_core.data: TensorDictDataset, default_collate, fetch_batch."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import Dataset

from ssl_core.data import TensorDictDataset, default_collate, fetch_batch
from ssl_core.errors import DataError


def _ds() -> TensorDictDataset:
    return TensorDictDataset({"x": torch.arange(20.0).reshape(10, 2), "y": torch.arange(10)})


def test_getitem_and_getitems_agree() -> None:
    ds = _ds()
    assert len(ds) == 10
    assert torch.equal(ds[3]["x"], torch.tensor([6.0, 7.0]))
    batch = ds.__getitems__([3, 1, 4])
    assert torch.equal(batch["y"], torch.tensor([3, 1, 4]))
    assert torch.equal(batch["x"], torch.stack([ds[i]["x"] for i in (3, 1, 4)]))


@pytest.mark.parametrize(
    ("tensors", "field", "reason"),
    [
        ({}, "<all>", "no tensors"),
        ({"x": [1, 2]}, "x", "expected a torch.Tensor"),
        ({"x": torch.tensor(1.0)}, "x", "0-d"),
        ({"x": torch.zeros(3, 2), "y": torch.zeros(4)}, "y", "has 4 rows"),
    ],
)
def test_bad_tensors_raise_data_error(tensors: dict, field: str, reason: str) -> None:
    with pytest.raises(DataError) as info:
        TensorDictDataset(tensors, source="file.pt")
    assert info.value.field == field and reason in info.value.reason and info.value.file == "file.pt"


def test_default_collate_stacks_and_keeps_metadata() -> None:
    samples = [{"x": torch.ones(2) * i, "n": i, "name": f"s{i}"} for i in range(3)]
    batch = default_collate(samples)
    assert batch["x"].shape == (3, 2) and torch.equal(batch["x"][:, 0], torch.tensor([0.0, 1.0, 2.0]))
    assert torch.equal(batch["n"], torch.tensor([0, 1, 2]))
    assert batch["name"] == ["s0", "s1", "s2"]
    already = {"x": torch.zeros(2, 2)}
    assert default_collate(already)["x"] is already["x"]


def test_default_collate_errors() -> None:
    with pytest.raises(DataError, match="empty"):
        default_collate([])
    with pytest.raises(DataError, match="disagree on keys"):
        default_collate([{"x": torch.zeros(1)}, {"y": torch.zeros(1)}])
    with pytest.raises(DataError, match="different shapes"):
        default_collate([{"x": torch.zeros(1)}, {"x": torch.zeros(2)}])


class _Plain(Dataset):
    def __len__(self) -> int:
        return 5

    def __getitem__(self, i: int) -> dict:
        return {"x": torch.full((2,), float(i))}


def test_fetch_batch_paths_agree() -> None:
    idx = torch.tensor([4, 0, 2])
    ds = _ds()
    fast = fetch_batch(ds, idx)
    slow = fetch_batch(ds, idx, collate=default_collate)
    assert torch.equal(fast["x"], slow["x"]) and torch.equal(fast["y"], slow["y"])
    plain = fetch_batch(_Plain(), idx)
    assert torch.equal(plain["x"][:, 0], torch.tensor([4.0, 0.0, 2.0]))
