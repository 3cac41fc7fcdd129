"""Tests of atomic checkpoint writes, weights_only loading and RNG state capture."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import pytest
import torch

from ssl_core.engine import checkpoint as ckpt
from ssl_core.engine.rng import capture_rng, restore_rng
from ssl_core.errors import CheckpointError


def _state(value: float) -> dict:
    return {"format": ckpt.FORMAT, "step": int(value), "model": {"w": torch.full((3,), value)}}


def test_atomic_save_and_load_roundtrip(tmp_path: Path) -> None:
    path = ckpt.checkpoint_path(tmp_path, 5)
    ckpt.atomic_save(_state(5.0), path)
    assert path.name == "step_5.pt"
    assert torch.equal(ckpt.load_checkpoint(path)["model"]["w"], torch.full((3,), 5.0))
    assert not list(path.parent.glob("*.tmp"))


@pytest.mark.parametrize("where", ["write", "rename"])
def test_crash_during_write_keeps_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    path = ckpt.checkpoint_path(tmp_path, "last")
    ckpt.atomic_save(_state(1.0), path)

    def crash_save(obj: object, fh: object) -> None:
        fh.write(b"PARTIAL")  # type: ignore[attr-defined]
        raise OSError("disk died mid-write")

    def crash_rename(src: object, dst: object) -> None:
        raise OSError("killed before rename")

    if where == "write":
        monkeypatch.setattr(ckpt.torch, "save", crash_save)
    else:
        monkeypatch.setattr(ckpt.os, "replace", crash_rename)
    with pytest.raises(OSError):
        ckpt.atomic_save(_state(2.0), path)
    monkeypatch.undo()
    assert ckpt.load_checkpoint(path)["step"] == 1
    assert not list(path.parent.glob(".*.tmp"))


def test_load_rejects_missing_corrupt_and_foreign_files(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="not found"):
        ckpt.load_checkpoint(tmp_path / "nope.pt")
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="cannot load"):
        ckpt.load_checkpoint(bad)
    foreign = tmp_path / "foreign.pt"
    torch.save({"w": torch.zeros(1)}, foreign)
    with pytest.raises(CheckpointError, match="not an ssl-core checkpoint"):
        ckpt.load_checkpoint(foreign)


def test_load_refuses_pickled_objects(tmp_path: Path) -> None:
    path = tmp_path / "evil.pt"
    torch.save({"format": ckpt.FORMAT, "obj": Path("x")}, path)
    with pytest.raises(CheckpointError, match="cannot load"):
        ckpt.load_checkpoint(path)


def test_prune_and_link(tmp_path: Path) -> None:
    for step in (1, 2, 3):
        ckpt.atomic_save(_state(step), ckpt.checkpoint_path(tmp_path, step))
    ckpt.atomic_link(ckpt.checkpoint_path(tmp_path, 3), ckpt.checkpoint_path(tmp_path, "last"))
    ckpt.prune_checkpoints(tmp_path, keep=2)
    assert [s for s, _ in ckpt.list_checkpoints(tmp_path)] == [2, 3]
    assert ckpt.load_checkpoint(ckpt.checkpoint_path(tmp_path, "last"))["step"] == 3


def test_rng_states_roundtrip_through_weights_only(tmp_path: Path) -> None:
    gen = torch.Generator().manual_seed(11)
    random.seed(1), np.random.seed(2), torch.manual_seed(3)
    state = capture_rng(gen)
    path = tmp_path / "rng.pt"
    torch.save({"format": ckpt.FORMAT, "rng": state}, path)
    want = (random.random(), np.random.rand(), torch.rand(1), torch.rand(1, generator=gen))
    random.seed(9), np.random.seed(9), torch.manual_seed(9), gen.manual_seed(9)
    restore_rng(ckpt.load_checkpoint(path)["rng"], gen)
    got = (random.random(), np.random.rand(), torch.rand(1), torch.rand(1, generator=gen))
    assert got[0] == want[0] and got[1] == want[1]
    assert torch.equal(got[2], want[2]) and torch.equal(got[3], want[3])
    assert os.path.getsize(path) > 0
