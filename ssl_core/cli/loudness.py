"""``-q/--quiet`` and ``-v/--verbose`` on every ``ssl`` group and lifecycle command.

Usual conventions: ``-q`` hides progress and information lines (errors, warnings and results still
print), ``-v`` adds detail (every logged step, timings); both count (``-vv``) and may be given on the
group (``ssl -q demo``, ``ssl-tabular -v pretrain``) or the command (``ssl-tabular pretrain -q``).
The level lives in :mod:`ssl_core.utils.verbosity`; each top-level invocation starts and ends at
the default (:func:`fresh_level`, used by ``FriendlyGroup.main``), so one in-process call does not
leak into the next.
"""

from __future__ import annotations

from typing import Any

import click

from ssl_core.utils import verbosity

__all__ = ["add_loudness", "fresh_level", "loudness_options"]

_KEY = "ssl_core.verbosity"


def _apply(ctx: click.Context, param: click.Parameter, value: int) -> None:
    if not value:
        return
    sign = -1 if param.name == "quiet" else 1
    ctx.meta[_KEY] = ctx.meta.get(_KEY, verbosity.NORMAL) + sign * value
    verbosity.set_level(ctx.meta[_KEY])


def loudness_options() -> list[click.Option]:
    """Fresh ``-q/--quiet`` and ``-v/--verbose`` options (counted, eager, not passed to the command)."""
    common: dict[str, Any] = {"count": True, "expose_value": False, "is_eager": True, "callback": _apply}
    return [
        click.Option(["-q", "--quiet"], help="Less output: no progress or information lines.", **common),
        click.Option(["-v", "--verbose"], help="More output: every logged step, timings.", **common),
    ]


def add_loudness(command: click.Command) -> click.Command:
    """``command`` with the two options added (once)."""
    if not any(p.name == "quiet" for p in command.params):
        command.params.extend(loudness_options())
    return command


def fresh_level() -> Any:
    """A context manager: the default level inside (the options raise or lower it), and after."""
    return verbosity.using_level(verbosity.NORMAL)
