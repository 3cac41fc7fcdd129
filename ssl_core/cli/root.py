"""The ``ssl`` root command: built-in commands and plugin domain groups, all loaded lazily.

Nothing here imports torch: ``ssl --help`` and ``ssl plugins`` only read plugin manifests. A domain
group (``ssl speech ...``) is imported from the manifest's ``cli = "module:attr"`` when invoked.
"""

from __future__ import annotations

from typing import Any

import click

from ssl_core._version import __version__
from ssl_core.cli.errors import CONTEXT_SETTINGS, FriendlyGroup, UsageError
from ssl_core.errors import PluginError

BUILTIN_COMMANDS: dict[str, tuple[str, str]] = {
    "plugins": ("ssl_core.cli.info:plugins", "List installed plugins and plugin load errors."),
    "components": ("ssl_core.cli.info:components", "List registered components (encoders, recipes ...)."),
    "env": ("ssl_core.cli.info:env", "Show versions, devices and SSL_* settings (for bug reports)."),
    "init": ("ssl_core.cli.run:init", "Write a starter YAML config for a domain."),
    "train": ("ssl_core.cli.run:train", "Train a recipe from a YAML config."),
    "eval": ("ssl_core.cli.run:evaluate", "Evaluate a run: SSL versus the same model without SSL."),
    "plot": ("ssl_core.cli.run:plot", "Plot the metrics of a run."),
    "report": ("ssl_core.cli.report:report", "Write a run's self-contained report.html."),
    "demo": ("ssl_core.cli.demo:demo", "Run every installed plugin's embedded demo; print one table."),
    "new-plugin": ("ssl_core.cli.scaffold:new_plugin", "Create a new plugin from the template."),
}


def _plugin_manager() -> Any:
    from ssl_core.plugins.manager import get_plugin_manager

    return get_plugin_manager()


def _lifecycle_group(domain: str) -> click.Command:
    from ssl_core.cli.domain import domain_group

    return domain_group(domain)


class SSLRoot(FriendlyGroup):
    """Root group: built-ins from :data:`BUILTIN_COMMANDS`, then one group per plugin domain."""

    def _domains(self) -> dict[str, str]:
        """``{domain: "module:attr"}`` of plugin groups; ``""`` for a lifecycle without a ``cli``."""
        pm = _plugin_manager()
        lifecycles = {i.domain: "" for i in pm.plugins() if i.manifest and i.manifest.lifecycle}
        return {**lifecycles, **pm.cli_commands()}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*BUILTIN_COMMANDS, *sorted(d for d in self._domains() if d not in BUILTIN_COMMANDS)]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from ssl_core.plugins.refs import resolve_object

        spec = (
            BUILTIN_COMMANDS[cmd_name][0] if cmd_name in BUILTIN_COMMANDS else self._domains().get(cmd_name)
        )
        if spec is None:
            return None
        try:
            command = resolve_object(spec) if spec else _lifecycle_group(cmd_name)
        except Exception as exc:
            raise click.ClickException(
                f"cannot load command {cmd_name!r} from {spec}: {type(exc).__name__}: {exc}"
            ) from exc
        if not isinstance(command, click.Command):
            raise click.ClickException(f"{spec} is not a click command (got {type(command).__name__})")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Help without importing any command module: built-in blurbs, plugin manifest descriptions."""
        rows = [(name, blurb) for name, (_, blurb) in BUILTIN_COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)
        infos = {
            i.domain: i
            for i in _plugin_manager().plugins()
            if i.manifest and (i.manifest.cli or i.manifest.lifecycle)
        }
        if infos:
            with formatter.section("Plugin commands"):
                formatter.write_dl(
                    [
                        (d, f"{i.manifest.description or i.manifest.title} (ssl {d} --help)")
                        for d, i in sorted(infos.items())
                    ]
                )


@click.group(cls=SSLRoot, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="ssl-core")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """ssl-core: self-supervised representation learning across domains.

    \b
    Examples:
      ssl plugins                       # what is installed
      ssl demo --quick                  # every plugin's embedded default, one table
      ssl init core -o run.yaml && ssl train run.yaml --set train.steps=200   # no data needed
      ssl eval runs/core/<timestamp>    # linear probe: trained encoder vs random init

    Exit codes: 0 success, 1 data or runtime error, 2 usage or configuration error, 130 interrupted.
    """
    if ctx.invoked_subcommand in ("plugins", "env"):
        return
    try:
        errors = _plugin_manager().errors
    except PluginError as exc:
        raise UsageError(str(exc)) from exc
    if errors:
        names = ", ".join(f"{e.entry_point.split(' ')[0]} ({e.distribution})" for e in errors)
        click.echo(
            f"warning: {len(errors)} plugin(s) failed to load and were skipped: {names}; see `ssl plugins`",
            err=True,
        )
