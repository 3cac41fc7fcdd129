"""Disk and permission faults for the bad-input corpus (``BadInput.fault`` / ``prepare``).

* :func:`full_disk`: a disk that fills up half-way through an :func:`~ssl_core.utils.atomic_writer` write.
* :func:`read_only`: a folder that cannot be written (really, as a normal user; mocked ``EACCES`` as root).
* :func:`check_read_only_for_real`: a command in a child process for whom permission bits apply.
* :func:`cached_run`: a ``prepare`` step copying one trained run into each case (for output verbs).

kill -9 tests live in :mod:`ssl_core.testing.kill_resume`.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import errno
import fnmatch
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

__all__ = ["cached_run", "check_read_only_for_real", "full_disk", "pretrain_fault_cases", "read_only"]


class _FullDisk:
    """A file whose writes fail with ENOSPC once ``budget`` bytes were written (part of the data lands)."""

    def __init__(self, fh: Any, budget: int) -> None:
        self._fh, self._budget = fh, budget

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if len(view) > self._budget:
            self._fh.write(view[: self._budget])
            self._budget = 0
            raise OSError(errno.ENOSPC, "No space left on device")  # as the kernel's: no file name
        self._budget -= len(view)
        return int(self._fh.write(view))

    def __enter__(self) -> _FullDisk:
        self._fh.__enter__()
        return self

    def __exit__(self, *exc: Any) -> Any:
        return self._fh.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._fh, name)


@contextlib.contextmanager
def full_disk(pattern: str = "*", *, after: int = 64) -> Iterator[None]:
    """A disk that fills up mid-write: every :func:`ssl_core.utils.atomic.atomic_writer` file whose
    target name matches ``pattern`` (``fnmatch``) takes ``after`` bytes, then raises ENOSPC.

    Only writers that go through ``atomic_writer`` see it, so a command that still succeeds under it
    writes its output some other way (not atomically).
    """
    from ssl_core.utils import atomic

    original = atomic._create_temp_file

    def create(path: Path) -> tuple[int, Path]:
        fd, tmp = original(path)
        if fnmatch.fnmatch(Path(path).name, pattern):
            _doomed.add(fd)
        return fd, tmp

    _doomed: set[int] = set()
    real_fdopen = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        fh = real_fdopen(fd, *args, **kwargs)
        if fd not in _doomed:
            return fh
        _doomed.discard(fd)  # the number is free for the next file once this one is closed
        return _FullDisk(fh, after)

    with (
        mock.patch.object(atomic, "_create_temp_file", create),
        mock.patch.object(atomic.os, "fdopen", fdopen),
    ):
        yield


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _denied(path: Any) -> OSError:
    return PermissionError(errno.EACCES, "Permission denied", str(path))


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """``folder`` (and everything under it) cannot be written while the block runs.

    As a normal user the folder really is made read-only (mode 0555, restored afterwards). As root,
    for whom permission bits do not apply, every way of writing under it that Python offers (``open``
    for writing, ``os.open`` with write flags, ``mkdir``, ``rename`` / ``replace``, ``unlink``,
    ``rmdir``) raises ``PermissionError(EACCES)`` instead, as the kernel would for a normal user.
    """
    folder = Path(folder).resolve()
    if os.geteuid() != 0:
        mode = folder.stat().st_mode
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(mode)
        return

    def inside(path: Any) -> bool:
        try:
            return Path(os.path.abspath(os.fsdecode(path))).is_relative_to(folder)
        except TypeError:  # a file descriptor
            return False

    real_open, real_os_open = builtins.open, os.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if inside(file) and any(c in mode for c in "wax+"):
            raise _denied(file)
        return real_open(file, mode, *args, **kwargs)

    def guarded_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if inside(path) and flags & _WRITE_FLAGS:
            raise _denied(path)
        return real_os_open(path, flags, *args, **kwargs)

    def guard(real: Callable[..., Any], when: Callable[[Any], bool] = lambda _: True) -> Callable[..., Any]:
        def guarded(*paths: Any, **kwargs: Any) -> Any:
            for path in paths[:2]:
                if isinstance(path, (str, bytes, os.PathLike)) and inside(path) and when(path):
                    raise _denied(path)
            return real(*paths, **kwargs)

        return guarded

    exists, missing, always = (
        os.path.lexists,
        lambda path: not os.path.lexists(path),
        lambda _: True,
    )  # the kernel's order
    checks = {
        "mkdir": missing,
        "rename": always,
        "replace": always,
        "unlink": exists,
        "rmdir": exists,
        "remove": exists,
    }

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("builtins.open", guarded_open))
        stack.enter_context(mock.patch("io.open", guarded_open))
        stack.enter_context(mock.patch("os.open", guarded_os_open))
        for name, when in checks.items():
            stack.enter_context(mock.patch(f"os.{name}", guard(getattr(os, name), when)))
        yield


def cached_run(argv: Sequence[str], files: Mapping[str, str | bytes] = {}) -> Callable[[Path], None]:
    """A :class:`ssl_core.testing.BadInput` ``prepare`` step: ``ROOT/run`` becomes a copy of the run
    that ``ssl ARGV --run-dir <folder>`` trained once (in-process, on first use) beside ``files``
    (``{tmp}`` in ``argv`` is that folder). For cases about a verb's output (``embed -o`` ...)."""
    made: list[Path] = []

    def prepare(root: Path) -> None:
        if not made:
            from click.testing import CliRunner

            from ssl_core.cli.root import cli

            folder = Path(tempfile.mkdtemp(prefix="ssl-cached-run-"))
            atexit.register(shutil.rmtree, folder, True)
            for name, content in files.items():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
            args = [a.replace("{tmp}", str(folder)) for a in argv]
            result = CliRunner().invoke(cli, [*args, "--run-dir", str(folder / "run")])
            assert result.exit_code == 0, result.output
            made.append(folder / "run")
        shutil.copytree(made[0], root / "run")

    return prepare


def _unprivileged(argv: Sequence[str]) -> list[str] | None:
    """``argv`` run so that permission bits apply: as is for a normal user; as root under ``setpriv``
    without ``CAP_DAC_OVERRIDE`` / ``CAP_DAC_READ_SEARCH`` (still root, but a 0555 folder is refused
    by the kernel itself); ``None`` as root without ``setpriv``."""
    if os.geteuid() != 0:
        return list(argv)
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *argv]


def check_read_only_for_real(argv: Sequence[str], folder: Path, *, timeout: float = 300.0) -> str:
    """``ssl ARGV`` in a child process against ``folder`` made read-only (mode 0555) for real: exit
    code 1, one ``Permission denied: <folder>...`` line, no traceback, ``folder`` unchanged. Returns
    the output.

    As root the child runs without the capabilities that bypass permission bits (see
    :func:`_unprivileged`); as root without ``setpriv`` this calls ``pytest.skip`` with that reason
    (the mocked :func:`read_only` cases still run).
    """
    import pytest

    folder = Path(folder).resolve()
    cmd = _unprivileged([sys.executable, "-m", "ssl_core.cli", *argv])
    if cmd is None:
        pytest.skip("running as root without setpriv: permission bits cannot apply to a child process")
    before = sorted(p.name for p in folder.rglob("*"))
    mode = folder.stat().st_mode
    folder.chmod(0o555)
    try:
        env = {**os.environ, "SSL_CORE_LOG_DIR": str(folder.parent / "logs")}
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False)
    finally:
        folder.chmod(mode)
    output = done.stdout + done.stderr
    assert done.returncode == 1, f"exit {done.returncode}\n{output}"
    assert f"Permission denied: {folder}" in output and "Traceback" not in output, output
    assert len(output.strip().splitlines()) == 1, output
    assert sorted(p.name for p in folder.rglob("*")) == before, "the failed command wrote into the folder"
    return output


def pretrain_fault_cases(domain: str, pretrain: Sequence[str], files: Mapping[str, str | bytes]) -> list[Any]:
    """Two corpus cases of a one-step ``ssl <domain> pretrain``: a disk that fills up at the first
    checkpoint, and a read-only run folder; each a one-line error naming the file, nothing partial.

    ``pretrain`` is the command line after ``ssl`` without ``--run-dir`` (with ``--steps 1``); ``files``
    the case's input files (``{tmp}`` in ``pretrain`` is the case folder).
    """
    from ssl_core.testing.bad_inputs import BadInput

    return [
        BadInput(f"{domain}-pretrain-disk-full", (*pretrain, "--run-dir", "{tmp}/run"), 1,
                 "No space left on device: {tmp}/run/checkpoints/step_1.pt", files=dict(files),
                 fault=lambda: full_disk("step_*.pt")),
        BadInput(f"{domain}-pretrain-read-only-run-dir", (*pretrain, "--run-dir", "{tmp}/ro"), 1,
                 "Permission denied: {tmp}/ro", files={**files, "ro/.keep": ""}, fault=lambda: read_only(Path("ro"))),
    ]  # fmt: skip
