"""``ssl new-plugin NAME``: copy the plugin template shipped in ``ssl_core/templates/plugin``.

The template is a working plugin for the domain ``template`` (``plugins/_template`` in the
repository links to it); rendering replaces ``template`` / ``Template`` / ``TEMPLATE`` in file
names and contents with the new name in the matching case.
"""

from __future__ import annotations

import re
import shutil
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS
from ssl_core.errors import ConfigError
from ssl_core.utils.atomic import sibling_temp_dir

TOKEN = "template"
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_SKIP = {"__pycache__", ".pytest_cache", "build", "dist", ".mypy_cache", ".ruff_cache"}


def template_root() -> Traversable:
    """The packaged plugin template."""
    return resources.files("ssl_core").joinpath("templates", "plugin")


def _substitute(text: str, name: str) -> str:
    camel = "".join(part.capitalize() for part in name.split("_"))
    return text.replace(TOKEN.upper(), name.upper()).replace(TOKEN.capitalize(), camel).replace(TOKEN, name)


def _copy(src: Traversable, dest: Path, name: str) -> list[Path]:
    written = []
    for item in sorted(src.iterdir(), key=lambda t: t.name):
        if item.name in _SKIP or item.name.endswith((".pyc", ".egg-info")):
            continue
        target = dest / _substitute(item.name, name)
        if item.is_dir():
            target.mkdir()
            written += _copy(item, target, name)
        else:
            target.write_text(_substitute(item.read_text(encoding="utf-8"), name), encoding="utf-8")
            written.append(target)
    return written


def render_plugin(name: str, dest: Path) -> list[Path]:
    """Write a new plugin called ``name`` into ``dest`` (which must not exist or be empty).

    Written into a temporary sibling first and renamed, so a failure leaves nothing partial. Files
    and folders follow the umask (0644 / 0755 under umask 022).
    """
    if not PLUGIN_NAME.match(name) or name == TOKEN:
        raise ConfigError(
            "new-plugin", "NAME", f"{name!r} must match {PLUGIN_NAME.pattern} (a Python identifier)"
        )
    if dest.exists() and any(dest.iterdir()):
        raise ConfigError(dest, "<dir>", "exists and is not empty")
    staging = sibling_temp_dir(dest)
    try:
        written = _copy(template_root(), staging, name)
        if dest.exists():
            dest.rmdir()
        staging.rename(dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [dest / p.relative_to(staging) for p in written]


@click.command(name="new-plugin", context_settings=CONTEXT_SETTINGS)
@click.argument("name")
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory to create (default: ./ssl-plugin-NAME).",
)
def new_plugin(name: str, output: Path | None) -> None:
    """Create the plugin NAME (distribution ssl-plugin-NAME, package ssl_plugin_NAME) from the template.

    \b
    Example:
      ssl new-plugin foo && pip install -e ssl-plugin-foo --no-deps && ssl plugins
    """
    dest = output or Path(f"ssl-plugin-{name}")
    files = render_plugin(name, dest)
    click.echo(f"created {dest} ({len(files)} files)")
    click.echo(f"next: pip install -e {dest} --no-deps && ssl plugins && pytest -q {dest / 'tests'}")
