"""The one error boundary of the CLI: no user error ever ends in a traceback.

Every command group of ``ssl`` (the root and each ``ssl <domain>`` / ``ssl-<domain>`` group) is a
:class:`FriendlyGroup`, whose ``invoke`` turns

- an :class:`ssl_core.errors.SSLCoreError` into one ``Error: ...`` line, exit code
  :data:`EXIT_USAGE` (2) for configuration / plugin-setup errors or :data:`EXIT_FAILURE` (1) for
  data, checkpoint and runtime errors;
- any other exception (``OSError`` such as a full disk or a read-only directory included) into a
  short line plus the path of a log file holding the traceback, exit code 1; ``--debug`` (or
  ``SSL_CORE_DEBUG=1``) re-raises it so the traceback is shown;
- ``KeyboardInterrupt`` into ``Interrupted.``, exit code :data:`EXIT_INTERRUPTED` (130).

The exit codes are documented in ``docs/cli.md``.
"""

from __future__ import annotations

import datetime as _dt
import os
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import click

from ssl_core.cli.loudness import add_loudness, fresh_level
from ssl_core.errors import ConfigError, PluginError, SSLCoreError
from ssl_core.utils import verbosity

__all__ = [
    "CONTEXT_SETTINGS",
    "DEBUG_ENV",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "FriendlyGroup",
    "UsageError",
    "UserError",
    "check_device",
    "debug_option",
    "exit_code",
    "user_error",
    "write_error_log",
]

EXIT_FAILURE = 1
"""Data, checkpoint and runtime errors, and unexpected exceptions."""
EXIT_USAGE = 2
"""Usage and configuration errors (bad options, config keys or values, plugin selection); as click."""
EXIT_INTERRUPTED = 130
"""Interrupted with Ctrl-C (128 + SIGINT)."""
DEBUG_ENV = "SSL_CORE_DEBUG"
LOG_DIR_ENV = "SSL_CORE_LOG_DIR"
_DEBUG_KEY = "ssl_core.debug"

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


class UserError(click.ClickException):
    """A one-line ``Error: ...`` (no usage text, no traceback), exit code 1."""

    exit_code = EXIT_FAILURE


class UsageError(UserError):
    """A one-line ``Error: ...`` for a usage or configuration error, exit code 2."""

    exit_code = EXIT_USAGE


def user_error(message: str, code: int = EXIT_FAILURE) -> UserError:
    """The :class:`UserError` (code 1) or :class:`UsageError` (code 2) for ``message``."""
    return UsageError(message) if code == EXIT_USAGE else UserError(message)


def exit_code(exc: BaseException) -> int:
    """2 for configuration and plugin-setup errors, 1 for everything else."""
    return EXIT_USAGE if isinstance(exc, (ConfigError, PluginError)) else EXIT_FAILURE


def _log_dirs() -> list[Path]:
    dirs = [Path(os.environ[LOG_DIR_ENV])] if os.environ.get(LOG_DIR_ENV) else []
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return [*dirs, Path(state) / "ssl-core" / "logs", Path(tempfile.gettempdir()) / "ssl-core-logs"]


def write_error_log(exc: BaseException) -> Path | None:
    """Write the traceback of ``exc`` (and the command line) to a fresh log file; its path, or None."""
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = "command: " + " ".join(sys.argv) + "\n\n" + "".join(traceback.format_exception(exc))
    for folder in _log_dirs():
        path = folder / f"error-{stamp}-{os.getpid()}.log"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


def _describe_unexpected(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror}{where} ({type(exc).__name__}, errno {exc.errno})"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"unexpected {type(exc).__name__}" + (f": {text}" if text else "")


def _debug(ctx: click.Context) -> bool:
    flag = os.environ.get(DEBUG_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
    return flag or bool(ctx.meta.get(_DEBUG_KEY))


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[_DEBUG_KEY] = True


def debug_option() -> click.Option:
    """``--debug``: show the traceback of unexpected errors instead of writing it to a log file."""
    return click.Option(
        ["--debug"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_debug,
        help=f"Show the traceback of unexpected errors (also {DEBUG_ENV}=1).",
    )


def check_device(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Click callback of every ``--device`` option: an unknown device name is a usage error."""
    from ssl_core.schema import device_problem

    problem = device_problem(value) if value is not None else None
    if problem:
        raise click.BadParameter(problem)
    return value


class FriendlyGroup(click.Group):
    """A click group that is the CLI's error boundary (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any(p.name == "debug" for p in self.params):
            self.params.append(debug_option())
        add_loudness(self)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Each top-level invocation starts at the default verbosity (``-q`` / ``-v`` change it);
        warnings print as one line (``warning: ...``) without Python's source location."""
        with fresh_level(), verbosity.one_line_warnings():
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except SSLCoreError as exc:
            if _debug(ctx):
                raise
            raise user_error(str(exc), exit_code(exc)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            if _debug(ctx):
                raise
            log = write_error_log(exc)
            where = f"the traceback is in {log}" if log else "no log file could be written"
            raise UserError(f"{_describe_unexpected(exc)}; {where} (rerun with --debug to show it)") from exc
