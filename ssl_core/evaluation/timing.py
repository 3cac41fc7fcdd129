"""The expected duration of a long evaluation, estimated from its first seed (or fold).

``evaluate`` runs a plugin's downstream models over several seeds; on a large table that takes
minutes. :func:`timed` wraps the seeds: after the first one it knows the time per seed, and when the
rest will take longer than :data:`LONG_S` it prints one line with the estimate and how to shorten
it (``--quick``, ``--seeds 1``). Plugins use it through ``EvalContext.timed``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["LONG_S", "estimate_line", "timed"]

T = TypeVar("T")

LONG_S = 20.0
"""An evaluation whose remaining seeds take longer than this prints its expected duration."""


def _duration(seconds: float) -> str:
    s = max(0, round(seconds))
    return f"{s} s" if s < 120 else f"{s // 60} min {s % 60:02d} s"


def estimate_line(label: str, first_s: float, done: int, total: int) -> str:
    """``<label>: about 2 min 10 s more (4 more seeds at ~33 s each); faster: --quick or --seeds 1``."""
    left = total - done
    return (
        f"{label}: about {_duration(first_s * left)} more ({left} more seed{'s' if left != 1 else ''} "
        f"at ~{_duration(first_s)} each); faster: --quick or --seeds 1"
    )


def timed(
    items: Iterable[T],
    *,
    label: str = "evaluate",
    long_s: float = LONG_S,
    echo: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Iterator[T]:
    """Yield ``items``; after the first, print the expected remaining time when it exceeds ``long_s``.

    ``echo`` receives the line (default: :func:`ssl_core.utils.verbosity.info`, silent under ``-q``).
    """
    from ssl_core.utils.verbosity import info

    seq = list(items)
    say = echo or info
    start = clock()
    for i, item in enumerate(seq):
        yield item
        if i == 0 and len(seq) > 1:
            first = clock() - start
            if first * (len(seq) - 1) > long_s:
                say(estimate_line(label, first, 1, len(seq)))
