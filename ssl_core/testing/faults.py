"""Fault tests at the CLI: ``kill -9`` a ``ssl <domain> pretrain`` child at a chosen point, then compare.

A :class:`KillPoint` names where the child process SIGKILLs itself:

* ``"step"``: right after the optimizer update of step N (mid-epoch, before its metrics row and
  checkpoint: resume restarts from the checkpoint before N and redoes the lost steps);
* ``"checkpoint"``: right after step N's checkpoint is complete;
* ``"step-file"`` / ``"last-file"`` / ``"index"``: half-way through writing ``step_<N>.pt``,
  ``last.pt`` or ``checkpoints/index.json`` of step N (a torn temporary file is left behind).

``occurrence`` counts the runs one ``pretrain`` trains (1: the main run, 2: its first baseline ...).
:func:`pretrain_in_child` runs the real CLI in a fresh Python process;
:func:`assert_runs_identical` compares two run directories bit for bit: every tensor of ``last.pt``
(model, optimizer, sampler, RNG, probe) of the main run and of each baseline, and the metrics rows
without their timing fields::

    a = pretrain_in_child("speech", [*argv, "--run-dir", str(tmp / "a")])
    b = pretrain_in_child("speech", [*argv, "--run-dir", str(tmp / "b")], KillPoint("step", 3))
    assert b.returncode == -9
    pretrain_in_child("speech", ["--resume", str(tmp / "b")])
    assert_runs_identical(tmp / "a", tmp / "b")
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import errno
import fnmatch
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

__all__ = [
    "KILL_PHASES",
    "KillPoint",
    "assert_identical",
    "assert_runs_identical",
    "cached_run",
    "check_kill_resume",
    "full_disk",
    "read_only",
    "killed",
    "pretrain_in_child",
    "pretrain_in_children",
]

KILL_PHASES = ("step", "checkpoint", "step-file", "last-file", "index")
TIMING = frozenset({"samples_per_s", "data_ms", "compute_ms"})
"""Metrics-row fields that measure the machine, not the training (never compared)."""

_ENV = "SSL_CORE_TEST_KILL_AT"

# Runs in the child: patches the engine so it SIGKILLs itself at the kill point, then runs the CLI.
_CHILD = """
import os, signal, sys
from ssl_core.engine import ckpt_index, loop, session
from ssl_core.utils.atomic import atomic_writer

phase, at, occurrence = os.environ.get("SSL_CORE_TEST_KILL_AT", "none:0:1").split(":")
at, occurrence = int(at), int(occurrence)
seen = {"runs": 0, "step": 0}

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def hit(step):
    return step == at and seen["runs"] == occurrence

original_init, original_step = session.RunSession.__init__, loop._step
original_checkpoint, original_write = session.RunSession.checkpoint, ckpt_index._write

def init(self, *args, **kwargs):
    seen["runs"] += 1
    original_init(self, *args, **kwargs)

def step(run, batch):
    out = original_step(run, batch)
    seen["step"] = run.counters.step
    if phase == "step" and hit(run.counters.step):
        die()
    return out

def checkpoint(self):
    original_checkpoint(self)
    if phase == "checkpoint" and hit(self.counters.step):
        die()

def write(data, path):
    name = {"step-file": f"step_{at}.pt", "last-file": "last.pt", "index": "index.json"}.get(phase)
    if path.name == name and hit(seen["step"]):
        with atomic_writer(path) as fh:  # torn: half the bytes in the temporary file, no rename
            fh.write(data[: len(data) // 2])
            fh.flush()
            die()
    original_write(data, path)

session.RunSession.__init__ = init
session.RunSession.checkpoint = checkpoint
loop._step = step
ckpt_index._write = write
from ssl_core.cli.root import cli
cli.main(args=sys.argv[1:], prog_name="ssl")
"""


@dataclass(frozen=True)
class KillPoint:
    """Where the child SIGKILLs itself: ``phase`` (one of :data:`KILL_PHASES`) at ``step`` of the
    ``occurrence``-th run the command trains (1 = the main run)."""

    phase: str
    step: int
    occurrence: int = 1

    def __post_init__(self) -> None:
        if self.phase not in KILL_PHASES:
            raise ValueError(f"KillPoint.phase: {self.phase!r} is not one of {KILL_PHASES}")

    def __str__(self) -> str:
        return f"{self.phase}:{self.step}:{self.occurrence}"


def _start(domain: str, argv: Sequence[str], kill: KillPoint | None) -> subprocess.Popen[str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", _ENV: str(kill or "none:0:1")}
    cmd = [sys.executable, "-c", _CHILD, domain, "pretrain", *argv]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def pretrain_in_children(
    domain: str, jobs: Sequence[tuple[Sequence[str], KillPoint | None]], *, timeout: float = 200.0
) -> list[subprocess.CompletedProcess[str]]:
    """``ssl <domain> pretrain ARGV`` for each ``(argv, kill)`` of ``jobs``, each in a fresh Python
    process killed at ``kill`` (``None``: never), all at once; their finished processes in order.

    Children run single-threaded (``OMP_NUM_THREADS=1``) so their arithmetic matches each other's;
    ``returncode`` is -9 for a killed child, ``stdout`` holds its output (stderr included).
    """
    procs = [_start(domain, argv, kill) for argv, kill in jobs]
    done = []
    try:
        for proc in procs:
            out, _ = proc.communicate(timeout=timeout)
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, ""))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return done


def pretrain_in_child(
    domain: str, argv: Sequence[str], kill: KillPoint | None = None, *, timeout: float = 200.0
) -> subprocess.CompletedProcess[str]:
    """:func:`pretrain_in_children` for one command."""
    return pretrain_in_children(domain, [(argv, kill)], timeout=timeout)[0]


def assert_identical(a: Any, b: Any, where: str) -> None:
    """Every tensor equal (``torch.equal``, dtype included), every other value ``==``, through dicts
    and lists; ``where`` names the first difference."""
    import torch

    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and a.dtype == b.dtype and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a, key=str) == sorted(b, key=str), f"{where}: keys differ"
        for key in a:
            assert_identical(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), f"{where}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_identical(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _metric_rows(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / "metrics.jsonl").read_text(encoding="utf-8").splitlines()
    return [{k: v for k, v in json.loads(x).items() if k not in TIMING} for x in lines if x.strip()]


def _runs(run_dir: Path) -> list[Path]:
    """The run in ``run_dir`` and its baseline runs (sub-folders holding ``checkpoints/last.pt``)."""
    subs = sorted(p.parent.parent for p in run_dir.glob("*/checkpoints/last.pt"))
    return [run_dir, *subs]


def assert_runs_identical(a: Path, b: Path, *, skip: Sequence[str] = ()) -> None:
    """``a`` and ``b`` (a run directory with its baselines) hold bit-identical final checkpoints
    (every key but ``skip``) and the same metrics rows (timing fields aside); ``b`` holds no
    temporary file left by a torn write."""
    import torch

    runs_a, runs_b = _runs(Path(a)), _runs(Path(b))
    assert [p.name for p in runs_a[1:]] == [p.name for p in runs_b[1:]], "different baseline runs"
    for ra, rb in zip(runs_a, runs_b):
        sa, sb = (
            torch.load(r / "checkpoints" / "last.pt", map_location="cpu", weights_only=True) for r in (ra, rb)
        )
        for key in sorted(set(sa) | set(sb)):
            if key not in skip:
                assert_identical(sa.get(key), sb.get(key), f"{rb.name}/last.pt[{key}]")
        assert _metric_rows(ra) == _metric_rows(rb), f"{rb}: metrics rows differ"
    torn = sorted(str(p) for p in Path(b).rglob("*.tmp"))
    assert not torn, f"temporary files left behind: {torn}"


def check_kill_resume(
    domain: str,
    argv: Sequence[str],
    kills: Sequence[KillPoint],
    tmp_path: Path,
    resume: Callable[[Path], tuple[int, str]],
) -> None:
    """The fault test of one plugin's ``pretrain``: an uninterrupted run and one run per kill point
    (child processes, all at once), each killed run resumed with ``resume(run_dir) -> (exit code,
    output)`` and compared bit for bit with the uninterrupted one (:func:`assert_runs_identical`).

    ``argv`` is the ``pretrain`` command line without ``--run-dir``. A torn write must leave its
    temporary file for the resume to clean up; a kill before the first checkpoint is not resumable.
    """
    runs = [tmp_path / "straight", *(tmp_path / f"killed-{i}" for i in range(len(kills)))]
    jobs = [([*argv, "--run-dir", str(run)], kill) for run, kill in zip(runs, [None, *kills])]
    done = pretrain_in_children(domain, jobs)
    assert done[0].returncode == 0, done[0].stdout
    for run, kill, child in zip(runs[1:], kills, done[1:]):
        assert killed(child), f"{kill}: the child was not killed (exit {child.returncode})\n{child.stdout}"
        if kill.phase in ("step-file", "last-file", "index"):
            assert any(run.rglob("*.tmp")), f"{kill}: no torn temporary file"
        code, output = resume(run)
        assert code == 0, f"{kill}: resume failed\n{output}"
        assert_runs_identical(runs[0], run)


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


def killed(process: subprocess.CompletedProcess[str]) -> bool:
    """Whether ``process`` ended by SIGKILL (and not by an error of its own)."""
    return process.returncode == -signal.SIGKILL
