"""How much the CLI says: ``-q`` (errors, warnings and results only), default, ``-v`` (more detail).

The level is process-wide state set by the CLI (``ssl -q ...``, ``ssl-<domain> -v pretrain ...``)
and read by the engine (progress display) and the lifecycle (information lines). Library callers
that never touch it get the default level. Information goes to stderr, so stdout keeps only results
(tables, paths), which can be piped.

The current *phase* names what is running (``tabular pretrain``, ``tabular baseline random-init``)
for the progress display: one bar (or a few plain lines) per phase.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = [
    "NORMAL",
    "QUIET",
    "VERBOSE",
    "bars",
    "current_phase",
    "detail",
    "format_warning",
    "info",
    "level",
    "one_line_warnings",
    "phase",
    "set_bars",
    "set_level",
    "using_level",
]

QUIET = -1
"""``-q``: no progress, no information lines; errors, warnings and results still print."""
NORMAL = 0
"""The default: a progress bar per phase and a few information lines."""
VERBOSE = 1
"""``-v``: also each logged step's metrics and timing details."""

_state: dict[str, object] = {"level": NORMAL, "phase": None, "bars": None}


def level() -> int:
    """The current level (``QUIET``, ``NORMAL``, ``VERBOSE``; counts beyond are clamped)."""
    return max(QUIET, min(VERBOSE, int(_state["level"])))  # type: ignore[call-overload]


def set_level(value: int) -> None:
    """Set the level (``-q`` / ``-v`` counts: ``verbose - quiet``)."""
    _state["level"] = int(value)


def bars() -> bool | None:
    """Whether progress may draw bars: ``None`` (a bar on a TTY), ``False`` (plain lines only)."""
    value = _state["bars"]
    return value if isinstance(value, bool) else None


def set_bars(value: bool | None) -> None:
    """Forbid (``False``) or allow (``None``) progress bars, e.g. in ``ssl demo``'s worker processes."""
    _state["bars"] = value


@contextmanager
def using_level(value: int) -> Iterator[None]:
    """The level ``value`` inside the block, the previous one after it."""
    before = _state["level"]
    _state["level"] = int(value)
    try:
        yield
    finally:
        _state["level"] = before


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Name what runs inside the block (shown by the progress display)."""
    before = _state["phase"]
    _state["phase"] = name
    try:
        yield
    finally:
        _state["phase"] = before


def current_phase() -> str | None:
    """The innermost :func:`phase` name, ``None`` outside any."""
    value = _state["phase"]
    return value if isinstance(value, str) else None


def info(message: str) -> None:
    """Write ``message`` to stderr unless quiet."""
    if level() >= NORMAL:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def detail(message: str) -> None:
    """Write ``message`` to stderr only when verbose."""
    if level() >= VERBOSE:
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


def format_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, line: str | None = None
) -> str:
    """A warning as one line for people: ``warning: <message>`` (the category when not a
    ``UserWarning``), without Python's source file, line number and code line."""
    kind = "" if category is UserWarning else f" ({category.__name__})"
    return f"warning{kind}: {message}\n"


@contextmanager
def one_line_warnings() -> Iterator[None]:
    """Warnings print through :func:`format_warning` inside the block (the CLI's commands)."""
    before = warnings.formatwarning
    warnings.formatwarning = format_warning
    try:
        yield
    finally:
        warnings.formatwarning = before
