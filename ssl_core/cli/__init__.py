"""Command-line interface: the ``ssl`` root (:func:`main`) and :mod:`ssl_core.cli.domain` helpers.

Importing this package does not import torch (``ssl --help`` and ``ssl plugins`` stay fast).
"""

from __future__ import annotations

from collections.abc import Sequence

from ssl_core.errors import PluginError


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``ssl`` console script (``argv`` defaults to ``sys.argv[1:]``)."""
    import click

    from ssl_core.cli.errors import exit_code
    from ssl_core.cli.root import cli

    try:
        cli.main(args=None if argv is None else list(argv), prog_name="ssl")
    except PluginError as exc:  # strict plugin loading raises while click lists commands (--help)
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(exit_code(exc)) from None


__all__ = ["main"]
