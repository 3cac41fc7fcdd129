"""Benchmark helpers for the scripts under ``bench/``: timing, peak memory, paired runs, tables.

Speed comparisons are made with *paired* runs (A and B alternated ABBA-style, so slow drift of a
shared machine hits both) and summarised by the median of the per-pair ratios, which is robust to
the occasional outlier on a busy 2-core CPU.
"""

from __future__ import annotations

import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import Any


class Timer:
    """Wall-clock timer usable as a context manager; optionally synchronises CUDA around the block.

    Example::

        with Timer(cuda_sync=True) as t:
            step()
        print(t.elapsed)  # seconds
    """

    def __init__(self, cuda_sync: bool = False) -> None:
        self.cuda_sync = cuda_sync
        self.elapsed = 0.0
        self._start = 0.0

    def _sync(self) -> None:
        if self.cuda_sync:
            import torch

            if torch.cuda.is_available():
                torch.cuda.synchronize()

    def __enter__(self) -> Timer:
        self._sync()
        self._start = time.perf_counter()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._sync()
        self.elapsed = time.perf_counter() - self._start


def time_call(fn: Callable[[], Any], *, repeats: int = 1, cuda_sync: bool = False) -> float:
    """Seconds taken by ``repeats`` calls of ``fn`` (one :class:`Timer` around all of them)."""
    with Timer(cuda_sync) as t:
        for _ in range(repeats):
            fn()
    return t.elapsed


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux: ``VmHWM`` of ``/proc/self/status`` (the peak of this process image; ``ru_maxrss`` would
    also count a parent's peak, which survives ``fork`` + ``exec``). Elsewhere: ``ru_maxrss``.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB on Linux
    return peak / (1024.0 * 1024.0) if sys.platform == "darwin" else peak / 1024.0


def paired_runs(
    run_a: Callable[[], float], run_b: Callable[[], float], pairs: int = 5
) -> tuple[list[float], list[float]]:
    """Alternate ``run_a`` and ``run_b`` ``pairs`` times (A B, B A, A B ...); return both time lists.

    Each callable runs one measurement and returns its time (or any cost) in seconds.
    """
    if pairs < 1:
        raise ValueError(f"pairs must be >= 1, got {pairs}")
    a: list[float] = []
    b: list[float] = []
    for i in range(pairs):
        if i % 2 == 0:
            a.append(run_a())
            b.append(run_b())
        else:
            b.append(run_b())
            a.append(run_a())
    return a, b


def median_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """Median of the pairwise ratios ``numerators[i] / denominators[i]``."""
    if len(numerators) != len(denominators) or not numerators:
        raise ValueError(
            f"need equally many, non-zero paired values, got {len(numerators)} and {len(denominators)}"
        )
    if any(d <= 0 for d in denominators):
        raise ValueError("denominators must be positive")
    return statistics.median(n / d for n, d in zip(numerators, denominators))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != 0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
            return f"{value:.3g}"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _columns(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        cols.extend(k for k in row if k not in cols)
    return cols


def markdown_table(rows: Sequence[Mapping[str, Any]]) -> str:
    """A GitHub-markdown table of ``rows`` (columns in first-seen order; missing cells empty)."""
    if not rows:
        return ""
    cols = _columns(rows)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    lines += ["| " + " | ".join(_fmt(r[c]) if c in r else "" for c in cols) + " |" for r in rows]
    return "\n".join(lines)


def format_table(rows: Sequence[Mapping[str, Any]], title: str = "") -> str:
    """A fixed-width text table of ``rows`` under ``title``."""
    cols = _columns(rows)
    cells = [[_fmt(r[c]) if c in r else "" for c in cols] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(cols)]
    out = [title] if title else []
    out.append("  ".join(c.ljust(w) for c, w in zip(cols, widths)))
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(v.rjust(w) for v, w in zip(row, widths)) for row in cells]
    return "\n".join(out)


def print_table(rows: Sequence[Mapping[str, Any]], title: str = "") -> None:
    """Print :func:`format_table` of ``rows`` to stdout."""
    print(format_table(rows, title), flush=True)
