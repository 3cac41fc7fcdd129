"""Progress display on rank 0: one tqdm bar per phase on a TTY, a few plain lines otherwise.

A *phase* is one training run (``tabular pretrain``, ``tabular baseline random-init``; see
:func:`ssl_core.utils.verbosity.phase`). On a terminal with tqdm installed (the ``progress`` extra)
it is one bar: ``<phase>: 42%|####  | 168/400 [00:12<00:17, 13.9 step/s, loss=0.41]``. Elsewhere
(CI logs, pipes, no tqdm) it is about :data:`PLAIN_LINES` lines per phase, each with the step, the
share done, the last logged values, the rate and the ETA; verbose (``-v``) prints every logged step.
Quiet (``-q``) shows nothing.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["PLAIN_LINES", "Progress", "format_eta"]

PLAIN_LINES = 10
"""Plain lines per phase (one per tenth of the run), plus the last step."""


def _fmt(values: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())


def format_eta(seconds: float) -> str:
    """``'42s'``, ``'3m05s'``, ``'1h02m'``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


class Progress:
    """Shows training progress without slowing the loop.

    Args:
        total: total number of steps.
        initial: the step training starts (or resumes) from.
        enabled: ``train.progress``, this is rank 0 and the CLI is not quiet.
        stream: where to write (stderr by default).
        bar: force (``True``) or forbid (``False``) a tqdm bar; ``None`` picks a bar only on a TTY
            with tqdm installed.
        desc: the phase shown in front (``tabular pretrain``); ``None``: ``train``.
        every_log: plain lines on every logged step (verbose) instead of one per tenth.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        bar: bool | None = None,
        desc: str | None = None,
        every_log: bool = False,
    ) -> None:
        self.total, self.enabled, self.every_log = total, enabled, every_log
        self.desc = desc or "train"
        self.stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        self._start, self._initial = time.perf_counter(), initial
        self._values: dict[str, float] = {}
        self._next_line = initial + self._stride()
        if not enabled:
            return
        use_bar = bar if bar is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        if use_bar:
            try:
                from tqdm.auto import tqdm
            except ImportError:  # no `progress` extra: plain lines
                return
            self._bar = tqdm(
                total=total,
                initial=initial,
                desc=self.desc,
                file=self.stream,
                dynamic_ncols=True,
                unit="step",
            )

    def _stride(self) -> int:
        return max(1, -(-self.total // PLAIN_LINES))

    def update(self, step: int, values: dict[str, float] | None = None) -> None:
        """Report that ``step`` finished; ``values`` (only on log steps) are shown next to it."""
        if not self.enabled:
            return
        if values:
            self._values = dict(values)
        if self._bar is not None:
            self._bar.update(step - self._bar.n)
            if values:
                self._bar.set_postfix_str(_fmt(values), refresh=False)
            return
        due = step >= self._next_line or step >= self.total
        if (self.every_log and values is not None) or due:
            self._line(step)
            while self._next_line <= step:
                self._next_line += self._stride()

    def _line(self, step: int) -> None:
        elapsed = time.perf_counter() - self._start
        done = step - self._initial
        rate = done / elapsed if elapsed > 0 and done > 0 else 0.0
        eta = f", ETA {format_eta((self.total - step) / rate)}" if rate > 0 and step < self.total else ""
        values = f" {_fmt(self._values)}" if self._values else ""
        pct = 100 * step // max(self.total, 1)
        self.stream.write(
            f"{self.desc}: step {step}/{self.total} ({pct}%){values} [{rate:.3g} step/s{eta}]\n"
        )
        self.stream.flush()

    def close(self) -> None:
        """Close the bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
