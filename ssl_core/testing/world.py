"""A spawned multi-process gloo world for CPU tests of distributed code.

``run_world(fn, 2)`` starts two fresh interpreters (multiprocessing context ``spawn``), joins them
in a gloo process group on 127.0.0.1 at a free port with ``OMP_NUM_THREADS=1``, calls
``fn(rank, world_size, *args)`` in each and returns the per-rank results in rank order. A crash
or hang on any rank kills every process and raises with each rank's traceback, so a broken
collective never blocks a test run.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import queue
import socket
import time
import traceback
from collections.abc import Callable
from datetime import timedelta
from typing import Any

_GRACE_S = 5.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _worker(
    fn: Callable[..., Any],
    rank: int,
    world_size: int,
    port: int,
    args: tuple[Any, ...],
    q: Any,
    timeout: float,
) -> None:
    """Body of one rank: join the group, run ``fn``, report ``(rank, ok, payload)`` on ``q``."""
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(world_size),
        LOCAL_WORLD_SIZE=str(world_size),
        OMP_NUM_THREADS="1",
    )
    try:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(1)
        dist.init_process_group(
            "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=rank,
            world_size=world_size,
            timeout=timedelta(seconds=max(timeout, 1.0)),
        )
        try:
            result = fn(rank, world_size, *args)
        finally:
            dist.destroy_process_group()
        q.put((rank, True, pickle.dumps(result)))
    except BaseException:  # report everything, including KeyboardInterrupt in the child
        q.put((rank, False, traceback.format_exc()))


def _describe(world_size: int, errors: dict[int, str], done: set[int], exitcodes: dict[int, Any]) -> str:
    """One block per rank: its traceback, or why it gave none."""
    parts = []
    for r in range(world_size):
        if r in errors:
            parts.append(f"--- rank {r} raised:\n{errors[r]}")
        elif r not in done:
            parts.append(f"--- rank {r}: no result (exit code {exitcodes.get(r)}; hung or crashed)")
    return "\n".join(parts)


def run_world(
    fn: Callable[..., Any], world_size: int = 2, *, args: tuple[Any, ...] = (), timeout: float = 120.0
) -> list[Any]:
    """Run ``fn(rank, world_size, *args)`` on ``world_size`` spawned gloo ranks; results in rank order.

    Args:
        fn: a picklable (module-level) function; its return value must be picklable.
        world_size: number of processes.
        args: extra picklable positional arguments.
        timeout: seconds for the whole world; past it every process is killed.

    Raises:
        RuntimeError: a rank raised, crashed or hung; the message holds every rank's traceback.
    """
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    port = free_port()
    procs = [
        # not daemonic, so ranks may start DataLoader workers; the finally-block below reaps them
        ctx.Process(target=_worker, args=(fn, r, world_size, port, args, q, timeout), daemon=False)
        for r in range(world_size)
    ]
    for p in procs:
        p.start()
    results: dict[int, Any] = {}
    errors: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(results) + len(errors) < world_size:
            now = time.monotonic()
            if now >= deadline:
                break
            try:
                r, ok, payload = q.get(timeout=min(0.2, deadline - now))
            except queue.Empty:
                dead = [
                    i
                    for i, p in enumerate(procs)
                    if not p.is_alive() and i not in results and i not in errors
                ]
                if dead and q.empty():
                    # a rank exited without reporting (segfault, abort): give the others a moment
                    deadline = min(deadline, time.monotonic() + _GRACE_S)
                continue
            if ok:
                results[r] = pickle.loads(payload)
            else:
                errors[r] = payload
                deadline = min(deadline, time.monotonic() + _GRACE_S)
    finally:
        for p in procs:
            p.join(timeout=0 if errors or len(results) < world_size else 10)
            if p.is_alive():
                p.kill()
                p.join(timeout=5)
        q.close()
    if errors or len(results) < world_size:
        codes = {i: p.exitcode for i, p in enumerate(procs)}
        raise RuntimeError(
            f"run_world({getattr(fn, '__name__', fn)!r}, world_size={world_size}) failed:\n"
            + _describe(world_size, errors, set(results), codes)
        )
    return [results[r] for r in range(world_size)]
