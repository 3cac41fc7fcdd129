"""``ssl demo``: every installed plugin's embedded default, pretrained then evaluated, one table."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS
from ssl_core.cli.loudness import add_loudness


def run_demos(
    root: Path, *, quick: bool, domain: str | None = None
) -> tuple[list[Any], list[tuple[str, str]], dict[str, float]]:
    """Each plugin's demo under ``root/<domain>``; returns (results, failures, seconds per domain)."""
    from ssl_core.lifecycle import run_demo
    from ssl_core.plugins.manager import get_plugin_manager
    from ssl_core.utils.verbosity import info

    domains = [d for d in sorted(get_plugin_manager().domain_specs()) if domain in (None, d)]
    results, failures, seconds = [], [], {}
    for name in domains:
        start = time.perf_counter()
        info(f"== {name} ({'quick' if quick else 'full'}) ...")
        try:
            results.append(run_demo(name, root / name, quick=quick))
        except Exception as exc:  # one failing plugin must not hide the others' tables
            failures.append((name, f"{type(exc).__name__}: {exc}"))
        seconds[name] = time.perf_counter() - start
    return results, failures, seconds


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--quick", is_flag=True, help="A few steps per demo (smoke test), not the real default.")
@click.option("--domain", default=None, help="Only this domain's demo.")
@click.option(
    "--run-dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Parent of the demo run directories (default: runs/demo/<UTC timestamp>).",
)
def demo(quick: bool, domain: str | None, root: Path | None) -> None:
    """Pretrain and evaluate every installed plugin's embedded default; print SSL versus no-SSL.

    \b
    Example: ssl demo            # about two minutes per plugin on a laptop CPU
             ssl demo --quick    # seconds: checks that everything runs
    """
    from ssl_core.cli.domain import default_run_dir, format_rows

    root = root or default_run_dir("demo")
    results, failures, seconds = run_demos(root, quick=quick, domain=domain)
    if not results and not failures:
        raise click.ClickException("no demos installed" + (f" for domain {domain!r}" if domain else ""))
    rows = [
        dataclasses.replace(r, extra={"domain": res.domain, **r.extra}) for res in results for r in res.rows
    ]
    click.echo(format_rows(rows))
    click.echo("\n" + "\n".join(f"{name}: {s:.1f} s" for name, s in seconds.items()))
    click.echo(f"run directories under {root} (each with its report.html)")
    if failures:
        for name, error in failures:
            click.echo(f"demo {name} FAILED: {error}", err=True)
        raise click.ClickException(f"{len(failures)} of {len(seconds)} demos failed")


add_loudness(demo)  # -q / -v on the command too (ssl_core.cli.loudness)
