"""Turn ssl-core's own errors into one clean ``Error: ...`` line (no traceback) in every command."""

from __future__ import annotations

from typing import Any

import click

from ssl_core.errors import SSLCoreError


class FriendlyGroup(click.Group):
    """A click group that reports :class:`ssl_core.errors.SSLCoreError` as a usage-free error line."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SSLCoreError as exc:
            raise click.ClickException(str(exc)) from exc


CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
