"""kill -9 at the CLI: ``ssl <domain> pretrain`` killed at a chosen point, resumed, compared bit for bit.

A :class:`KillPoint` names where the child process SIGKILLs itself:

* ``"step"``: right after the optimizer update of step N (mid-epoch, before its metrics row and
  checkpoint: resume restarts from the checkpoint before N and redoes the lost steps);
* ``"checkpoint"``: right after step N's checkpoint is complete;
* ``"step-file"`` / ``"last-file"`` / ``"index"``: half-way through writing ``step_<N>.pt``,
  ``last.pt`` or ``checkpoints/index.json`` of step N (a torn temporary file is left behind).

``occurrence`` counts the runs one ``pretrain`` trains (1: the main run, 2: its first baseline ...).
:func:`pretrain_in_children` runs the real CLI in fresh Python processes; :func:`assert_runs_identical`
compares two run directories bit for bit: every tensor of ``last.pt`` (model, optimizer, sampler,
RNG, probe) of the main run and of each baseline, and the metrics rows without their timing fields.
:func:`check_kill_resume` is the whole test of one plugin::

    def resume(run):
        result = cli_runner.ssl("foo", "pretrain", "--resume", str(run))
        return result.exit_code, result.output

    check_kill_resume("foo", argv, [KillPoint("step", 3), KillPoint("last-file", 4)], tmp_path, resume)
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "KILL_PHASES",
    "KillPoint",
    "assert_identical",
    "assert_runs_identical",
    "check_kill_resume",
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
        code, output = _single_threaded(resume, run)
        assert code == 0, f"{kill}: resume failed\n{output}"
        assert_runs_identical(runs[0], run)


def _single_threaded(resume: Callable[[Path], tuple[int, str]], run: Path) -> tuple[int, str]:
    """``resume(run)`` with one intra-op thread, as the children ran: the resumed steps must add up
    floats in the same order as the uninterrupted child (a 2-thread reduction differs in the last bit)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return resume(run)
    finally:
        torch.set_num_threads(threads)


def killed(process: subprocess.CompletedProcess[str]) -> bool:
    """Whether ``process`` ended by SIGKILL (and not by an error of its own)."""
    return process.returncode == -signal.SIGKILL


CI_KILLS = (KillPoint("step", 3), KillPoint("last-file", 4))
"""The kill points every CI run checks on a 6-step run with checkpoints every 2 steps: mid-epoch, and
half-way through writing ``last.pt``."""
MORE_KILLS = (
    KillPoint("checkpoint", 2),
    KillPoint("step-file", 4),
    KillPoint("index", 2),
    KillPoint("step", 5),
)
"""The ``slow`` test's further points: after a complete checkpoint, torn ``step_4.pt`` and
``index.json``, and a later mid-epoch step."""
KILL_SETS = (
    "train.progress=false",
    "train.ckpt_every=2",
    "train.log_every=1",
    "train.steps=6",
    "train.device=cpu",
)
"""The ``--set`` values of the run those points assume."""


def check_domain_kill_resume(
    domain: str, plugin: Any, argv: Sequence[str], kills: Sequence[KillPoint], tmp_path: Path, ssl_pm: Any,
    cli_runner: Any,
) -> None:  # fmt: skip
    """:func:`check_kill_resume` of ``ssl <domain> pretrain`` whose resume runs in-process with the
    plugin module ``plugin`` registered in the isolated manager ``ssl_pm`` (the kit's fixtures
    ``ssl_pm`` and ``cli_runner``)."""

    def resume(run: Path) -> tuple[int, str]:
        with ssl_pm.registered(plugin):
            result = cli_runner.ssl(domain, "pretrain", "--resume", str(run))
        return result.exit_code, result.output

    check_kill_resume(domain, argv, kills, tmp_path, resume)
