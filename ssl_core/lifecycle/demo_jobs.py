"""``ssl demo --jobs N``: the domains' demos in N worker processes, each with its share of the threads.

Small models use two or more intra-op threads poorly (a 2-thread step is well under twice as fast as
a 1-thread one), so on a machine with T threads the six demos finish sooner as ``T`` one-thread
processes than one after the other with ``T`` threads each. :func:`plan_jobs` picks the split,
:func:`run_in_workers` runs it. Each domain gets a fresh process (``spawn``):
its own plugin manager, RNG and thread settings, like a standalone ``ssl demo --domain NAME``. The
process's OpenMP / MKL thread count is set before torch, numpy or scikit-learn load, and progress is
printed as plain lines (two processes' bars would overwrite each other on one terminal).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "JOB_MEMORY_BYTES",
    "DemoOutcome",
    "demo_worker",
    "longest_first",
    "makespan",
    "plan_jobs",
    "run_in_workers",
]

JOB_MEMORY_BYTES = 2 * 1024**3
"""Memory set aside per demo process when choosing the number of jobs (the largest embedded default
peaks at about 1.4 GB resident)."""

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
POLL_S = 1.0
"""How often the parent checks for a worker that died without reporting."""
JOIN_S = 10.0
"""How long the parent waits for a stopped worker to exit."""


@dataclass
class DemoOutcome:
    """One domain's demo as a worker reports it: its result, or the error that stopped it."""

    domain: str
    result: Any = None  # ssl_core.evaluation.report.DemoResult
    error: str | None = None
    seconds: float = 0.0
    threads: int = 0
    notes: list[str] = field(default_factory=list)


def plan_jobs(requested: int | None, domains: int, threads: int, free_bytes: int | None) -> tuple[int, int]:
    """``(jobs, threads per job)`` for ``domains`` demos on ``threads`` threads.

    ``requested`` (``--jobs``) wins, capped at ``domains``; ``None`` (auto) is one job per thread,
    at most one per domain and one per ``JOB_MEMORY_BYTES`` of ``free_bytes`` (unknown: no cap).
    The threads are shared evenly (at least one per job).
    """
    if requested is not None and requested < 1:
        raise ValueError(f"--jobs must be >= 1, got {requested}")
    threads, domains = max(1, threads), max(1, domains)
    if requested is None:
        by_memory = domains if free_bytes is None else max(1, free_bytes // JOB_MEMORY_BYTES)
        jobs = min(domains, threads, by_memory)
    else:
        jobs = min(domains, requested)
    return jobs, max(1, threads // jobs)


def longest_first(seconds: Mapping[str, float | None]) -> list[str]:
    """Domains in the order to start them: unknown durations first (they may be long), then the
    longest (``DomainSpec.demo_seconds``), ties by name: the largest-first rule keeps the last
    process from finishing long after the others."""
    return sorted(seconds, key=lambda d: (seconds[d] is not None, -(seconds[d] or 0.0), d))


def makespan(seconds: Sequence[float], jobs: int) -> float:
    """Wall time of ``seconds``-long tasks started in this order on ``jobs`` processes, each task
    going to the process that frees up first."""
    ends = [0.0] * max(1, jobs)
    for value in seconds:
        ends[ends.index(min(ends))] += value
    return max(ends)


def _init_worker(threads: int, level: int, setup: str | None) -> None:
    """Runs first in each worker: thread variables (before torch loads), loudness, plain progress."""
    for name in THREAD_VARIABLES:
        os.environ[name] = str(threads)
    import torch

    from ssl_core.utils import verbosity

    torch.set_num_threads(threads)
    warnings.formatwarning = verbosity.format_warning
    verbosity.set_level(level)
    verbosity.set_bars(False)
    if setup:
        from ssl_core.plugins.refs import resolve_object

        resolve_object(setup)()


def demo_worker(domain: str, run_dir: Path, quick: bool) -> DemoOutcome:
    """One domain's demo (in a worker process, or in turn with ``--jobs 1``); an exception becomes
    ``DemoOutcome.error``, so one failing plugin does not hide the others' tables."""
    import torch

    from ssl_core.lifecycle.demo import run_demo
    from ssl_core.utils.verbosity import info

    start = time.perf_counter()
    outcome = DemoOutcome(domain, threads=torch.get_num_threads())
    info(f"== {domain} ({'quick' if quick else 'full'}, {outcome.threads} thread(s)) ...")
    try:
        outcome.result = run_demo(domain, run_dir, quick=quick)
    except Exception as exc:  # reported with the other domains' tables, like the serial demo
        outcome.error = f"{type(exc).__name__}: {exc}"
    outcome.seconds = time.perf_counter() - start
    info(f"== {domain} done in {outcome.seconds:.0f} s")
    return outcome


def run_in_workers(
    domains: Sequence[str], root: Path, *, quick: bool, jobs: int, threads: int, setup: str | None = None
) -> list[DemoOutcome]:
    """Every domain's demo under ``root/<domain>`` in at most ``jobs`` processes of ``threads`` threads.

    Outcomes come back in the order of ``domains``; a worker that dies (killed, out of memory) is
    that domain's error. Workers ignore Ctrl-C: the parent gets it, stops every running worker and
    re-raises, so the command ends at once (``Interrupted.``). ``setup`` (``"module:attr"``, for
    tests) is called in each worker before its demo.
    """
    from ssl_core.utils import verbosity

    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    pending, running, outcomes = list(domains), {}, {}  # type: ignore[var-annotated]
    config, silent = (quick, threads, verbosity.level(), setup), set[str]()
    try:
        while pending or running:
            while pending and len(running) < jobs:
                name = pending.pop(0)
                running[name] = context.Process(
                    target=_worker_main, args=(name, root / name, config, results)
                )
                running[name].start()
            try:
                outcome = results.get(timeout=POLL_S)
            except queue.Empty:
                silent = _reap_silent(running, outcomes, silent)
                continue
            outcomes[outcome.domain] = outcome  # a report beats a death noticed a moment before
            if (proc := running.pop(outcome.domain, None)) is not None:
                proc.join()
    finally:  # Ctrl-C or an error here: no worker outlives the command
        for proc in running.values():
            proc.terminate()
        for proc in running.values():
            proc.join(JOIN_S)
    return [outcomes[name] for name in domains]


def _reap_silent(running: dict[str, Any], outcomes: dict[str, DemoOutcome], silent: set[str]) -> set[str]:
    """Record the workers that exited without reporting: at once for a failure exit code, after a
    second quiet poll for exit code 0 (its report may still be in the queue). Returns the names that
    exited cleanly and quietly this poll."""
    quiet = set()
    for name, proc in list(running.items()):
        if proc.is_alive() or proc.exitcode is None:
            continue
        if proc.exitcode == 0 and name not in silent:
            quiet.add(name)
            continue
        outcomes[name] = DemoOutcome(name, error=f"its worker process died (exit code {proc.exitcode})")
        running.pop(name).join()
    return quiet


def _exit_on_stop(signum: int, _frame: Any) -> None:
    raise SystemExit(128 + signum)


def _worker_main(domain: str, run_dir: Path, config: tuple[bool, int, int, str | None], results: Any) -> None:
    """A worker process: ignore Ctrl-C (the parent stops it), set up, run one demo, report it.

    The parent's stop (SIGTERM) becomes ``SystemExit``, so a run stopped before its first
    checkpoint is removed as after any failure (``ssl_core.engine.loop.train``)."""
    quick, threads, level, setup = config
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_stop)
    _init_worker(threads, level, setup)
    results.put(demo_worker(domain, run_dir, quick))
