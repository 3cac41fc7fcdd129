"""A plugin's console script (``ssl-<domain> ARGS``) run in-process, as a plugin's tests call it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner

__all__ = ["ConsoleRun", "run_console"]


@dataclass
class ConsoleRun:
    """Exit code and output (stdout and stderr together) of a command run in-process."""

    exit_code: int
    output: str


def run_console(main: Callable[[Sequence[str]], Any], *args: str) -> ConsoleRun:
    """Call a console script's ``main(argv)`` (e.g. ``ssl_plugin_tabular.cli.main``) with ``args``.

    Output is captured as a terminal would show it; ``SystemExit`` gives the exit code (0 when
    ``main`` returns).
    """
    with CliRunner().isolation() as streams:
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return ConsoleRun(code, streams[-1].getvalue().decode())
