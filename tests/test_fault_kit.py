"""The fault-injection kit (``ssl_core.testing.faults``) and the clean-up of torn temporary files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ssl_core.testing.faults import full_disk, read_only
from ssl_core.testing.kill_resume import KillPoint, assert_runs_identical
from ssl_core.utils.atomic import atomic_writer, remove_stale_temporaries


def test_stale_temporaries_are_removed_and_nothing_else(tmp_path: Path) -> None:
    names = [".last.pt.0123456789ab.tmp", ".index.json.abcdefabcdef.tmp", "keep.tmp", ".x.short.tmp", "a.pt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted(names[:2])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names[2:])


def test_full_disk_fails_mid_write_naming_the_file_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "old.bin").write_bytes(b"old")
    with full_disk("*.bin", after=3):
        with (
            pytest.raises(OSError, match="No space left on device") as info,
            atomic_writer(tmp_path / "old.bin") as fh,
        ):
            fh.write(b"12")  # within the budget
            fh.write(b"3456")  # crosses it
        with atomic_writer(tmp_path / "other.txt") as fh:  # another name: unaffected
            fh.write(b"fine")
    assert info.value.filename == str(tmp_path / "old.bin")
    assert (tmp_path / "old.bin").read_bytes() == b"old"  # untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.bin", "other.txt"]


def test_read_only_refuses_writes_under_the_folder_only(tmp_path: Path) -> None:
    locked, free = tmp_path / "locked", tmp_path / "free"
    locked.mkdir()
    free.mkdir()
    (locked / "a.txt").write_text("a")
    with read_only(locked):
        assert (locked / "a.txt").read_text() == "a"  # reading works
        for attempt in (
            lambda: (locked / "b.txt").write_text("b"),
            lambda: (locked / "sub").mkdir(),
            lambda: (locked / "a.txt").unlink(),
            lambda: os.replace(free, locked / "moved"),
            lambda: atomic_writer(locked / "c.bin").__enter__(),
        ):
            with pytest.raises(PermissionError):
                attempt()
        (free / "ok.txt").write_text("ok")
    assert sorted(p.name for p in locked.iterdir()) == ["a.txt"]
    (locked / "b.txt").write_text("b")  # writable again afterwards


def test_kill_point_phases_are_checked() -> None:
    assert str(KillPoint("step", 3, 2)) == "step:3:2"
    with pytest.raises(ValueError, match="phase"):
        KillPoint("midnight", 1)


def test_runs_that_differ_are_told_apart(tmp_path: Path) -> None:
    from ssl_core.config import load_run_config
    from ssl_core.engine import train

    args = {"n_train": 64, "n_eval": 16, "hidden": 8, "embed_dim": 4, "proj_dim": 8}
    for name, seed in (("a", 0), ("b", 0), ("c", 1)):
        train_cfg = {"steps": 2, "batch_size": 16, "device": "cpu", "progress": False, "seed": seed}
        cfg = load_run_config({"recipe": "core/synthetic", "recipe_args": args, "train": train_cfg})
        train(cfg, tmp_path / name)
    assert_runs_identical(tmp_path / "a", tmp_path / "b")
    with pytest.raises(AssertionError, match="last.pt"):
        assert_runs_identical(tmp_path / "a", tmp_path / "c")
    (tmp_path / "b" / "checkpoints" / ".last.pt.0123456789ab.tmp").write_bytes(b"torn")
    with pytest.raises(AssertionError, match="temporary files left behind"):
        assert_runs_identical(tmp_path / "a", tmp_path / "b")


def test_a_really_read_only_run_dir_is_one_clean_line(tmp_path: Path) -> None:
    from ssl_core.testing.faults import check_read_only_for_real

    (tmp_path / "c.yaml").write_text(
        "recipe: core/synthetic\nrecipe_args: {n_train: 64, n_eval: 16, hidden: 8, embed_dim: 4, proj_dim: 8}\n"
        "train: {steps: 2, batch_size: 16, device: cpu, progress: false}\n"
    )
    (tmp_path / "ro").mkdir()
    check_read_only_for_real(
        ["train", str(tmp_path / "c.yaml"), "--run-dir", str(tmp_path / "ro")], tmp_path / "ro"
    )
