"""``ssl_core.utils.atomic``: atomic replacement, and new files / folders follow the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from ssl_core.cli.scaffold import render_plugin
from ssl_core.utils.atomic import atomic_writer, sibling_temp_dir


@pytest.fixture
def umask() -> Iterator[object]:
    """``umask(value)`` sets the process umask for the test; the old one is restored afterwards."""
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_writer_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.bin"
    with atomic_writer(target) as fh:
        fh.write(b"one")
    with atomic_writer(target, fsync=True) as fh:
        fh.write(b"two")
    assert target.read_bytes() == b"two" and sorted(p.name for p in target.parent.iterdir()) == ["out.bin"]


def test_writer_error_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@pytest.mark.parametrize(("mask", "file_mode", "dir_mode"), [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_new_files_and_folders_follow_the_umask(tmp_path, umask, mask, file_mode, dir_mode) -> None:
    umask(mask)
    with atomic_writer(tmp_path / "a" / "out.json") as fh:
        fh.write(b"{}")
    assert _mode(tmp_path / "a" / "out.json") == file_mode and _mode(tmp_path / "a") == dir_mode
    staged = sibling_temp_dir(tmp_path / "b" / "plugin")
    assert staged.parent == tmp_path / "b" and staged.name.startswith(".plugin.")
    assert _mode(staged) == dir_mode and list(staged.iterdir()) == []


def test_new_plugin_files_follow_the_umask(tmp_path, umask) -> None:
    umask(0o022)
    dest = tmp_path / "ssl-plugin-foo"
    files = render_plugin("foo", dest)
    assert files and {_mode(p) for p in files} == {0o644}
    dirs = [dest, *(p for p in dest.rglob("*") if p.is_dir())]
    assert {_mode(d) for d in dirs} == {0o755}
