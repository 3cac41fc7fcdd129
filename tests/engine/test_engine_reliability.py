"""Nothing partial: verified checkpoints, resume fallback, no weightless run dirs, no NaN checkpoints."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import pytest
import torch
from _engine_toy import Poisoned, Regress, config, recipe

from ssl_core.engine import load_run, train
from ssl_core.engine.checkpoint import checkpoint_path, load_checkpoint
from ssl_core.engine.ckpt_index import load_newest_intact, load_verified, read_index
from ssl_core.engine.step import NonFiniteError
from ssl_core.errors import CheckpointError


class GoesNaN(Regress):
    """Regress whose first weight matrix is overwritten with NaN on forward call ``at``."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.calls, self.at = 0, at

    def forward(self, batch, generator=None):  # type: ignore[no-untyped-def]
        self.calls += 1
        if self.calls == self.at:
            with torch.no_grad():
                self.net[0].weight.fill_(float("nan"))
        return super().forward(batch, generator)


def _equal(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_last_is_a_separate_file_recorded_in_the_index(tmp_path: Path) -> None:
    train(config(steps=4, ckpt_every=2), tmp_path, recipe=recipe())
    last, step = checkpoint_path(tmp_path, "last"), checkpoint_path(tmp_path, 4)
    assert last.stat().st_ino != step.stat().st_ino
    index = read_index(tmp_path)
    data = last.read_bytes()
    assert index["last.pt"] == {"step": 4, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert index["step_4.pt"] == index["last.pt"] and set(index) == {"last.pt", "step_2.pt", "step_4.pt"}


def test_damaged_last_falls_back_and_resume_stays_bit_identical(tmp_path: Path, capsys) -> None:
    full = train(config(steps=6, ckpt_every=2), tmp_path / "full", recipe=recipe())
    run = tmp_path / "cut"
    train(config(steps=6, ckpt_every=2), run, recipe=recipe(), stop_at=4)
    for which in ("last", 4):  # a flipped byte in last.pt, a truncated step_4.pt
        path = checkpoint_path(run, which)
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data) if which == "last" else bytes(data[:100]))
    state, path, skipped = load_newest_intact(run)
    assert path.name == "step_2.pt" and state["step"] == 2 and len(skipped) == 2
    assert "sha256 differs" in skipped[0] and "bytes, index records" in skipped[1]
    resumed = train(config(steps=6, ckpt_every=2), run, recipe=recipe(), resume=True)
    assert "warning: resuming from" in capsys.readouterr().err
    assert resumed.step == 6 and _equal(resumed.module.state_dict(), full.module.state_dict())


def test_load_run_falls_back_and_a_lone_damaged_checkpoint_is_a_clean_error(tmp_path: Path, capsys) -> None:
    train(config(steps=4, ckpt_every=2), tmp_path, recipe=recipe())
    checkpoint_path(tmp_path, "last").write_bytes(b"garbage")
    assert load_run(tmp_path, recipe=recipe()).step == 4  # step_4.pt, the same weights
    assert "warning: loading" in capsys.readouterr().err
    for p in (checkpoint_path(tmp_path, 2), checkpoint_path(tmp_path, 4)):
        p.write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="no intact checkpoint to load"):
        load_run(tmp_path, recipe=recipe())
    with pytest.raises(CheckpointError, match="damaged checkpoint"):
        load_verified(checkpoint_path(tmp_path, 2))


def test_unsafe_checkpoint_is_refused_without_pytorchs_unsafe_hint(tmp_path: Path) -> None:
    class Payload:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (print, ("payload ran",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"format": 1, "x": Payload()}))
    with pytest.raises(CheckpointError) as info:
        load_checkpoint(path)
    assert "refused" in str(info.value) and "weights_only=False" not in str(info.value)


def test_non_finite_weights_stop_the_run_and_keep_the_last_good_checkpoint(tmp_path: Path) -> None:
    cfg = config(steps=6, ckpt_every=3, max_nonfinite=100)
    with pytest.raises(NonFiniteError, match="weights became non-finite"):
        train(cfg, tmp_path, recipe=recipe(lambda: GoesNaN(at=5)))
    good = load_checkpoint(checkpoint_path(tmp_path, "last"))
    assert good["step"] == 3
    assert all(torch.isfinite(v).all() for v in good["model"].values() if v.is_floating_point())
    assert json.loads((tmp_path / "checkpoints" / "index.json").read_text())["files"]["last.pt"]["step"] == 3


def test_fresh_run_failing_before_its_first_checkpoint_leaves_nothing(tmp_path: Path) -> None:
    cfg = config(steps=10, ckpt_every=100, max_nonfinite=2)
    with pytest.raises(NonFiniteError):
        train(cfg, tmp_path / "new", recipe=recipe(lambda: Poisoned(after=0)))
    assert not (tmp_path / "new").exists()
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the user's own file")
    with pytest.raises(NonFiniteError):
        train(cfg, mine, recipe=recipe(lambda: Poisoned(after=0)))
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_a_failure_after_a_checkpoint_keeps_the_resumable_run(tmp_path: Path) -> None:
    cfg = config(steps=10, ckpt_every=2, max_nonfinite=2)
    with pytest.raises(NonFiniteError):
        train(cfg, tmp_path, recipe=recipe(lambda: Poisoned(after=3)))
    assert load_checkpoint(checkpoint_path(tmp_path, "last"))["step"] >= 2
    assert (tmp_path / "config.yaml").is_file()
