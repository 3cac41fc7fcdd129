"""Progress display on rank 0: a tqdm bar on a TTY, a plain line every N steps otherwise."""

from __future__ import annotations

import sys
from typing import Any, TextIO

__all__ = ["Progress"]


def _fmt(values: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4g}" for k, v in values.items())


class Progress:
    """Shows training progress without slowing the loop.

    Args:
        total: total number of steps.
        initial: the step training starts (or resumes) from.
        enabled: ``train.progress`` and this is rank 0.
        stream: where to write (stderr by default).
        bar: force (``True``) or forbid (``False``) a tqdm bar; ``None`` picks a bar only on a TTY
            with tqdm installed.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        bar: bool | None = None,
    ) -> None:
        self.total, self.enabled = total, enabled
        self.stream = stream if stream is not None else sys.stderr
        self._bar: Any = None
        if not enabled:
            return
        use_bar = bar if bar is not None else bool(getattr(self.stream, "isatty", lambda: False)())
        if use_bar:
            try:
                from tqdm.auto import tqdm
            except ImportError:
                return
            self._bar = tqdm(total=total, initial=initial, file=self.stream, dynamic_ncols=True, unit="step")

    def update(self, step: int, values: dict[str, float] | None = None) -> None:
        """Report that ``step`` finished; ``values`` (only on log steps) are shown next to it."""
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(step - self._bar.n)
            if values:
                self._bar.set_postfix_str(_fmt(values), refresh=False)
        elif values is not None:
            self.stream.write(f"step {step}/{self.total} {_fmt(values)}\n")
            self.stream.flush()

    def close(self) -> None:
        """Close the bar, if any."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
