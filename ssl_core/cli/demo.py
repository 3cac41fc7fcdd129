"""``ssl demo``: every installed plugin's embedded default, pretrain then evaluate, one summary table."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS


def run_demos(
    root: Path, *, quick: bool, domain: str | None = None
) -> tuple[list[Any], list[tuple[str, str]], dict[str, float]]:
    """Run the registered demos under ``root/<domain>``; returns (results, failures, seconds per demo)."""
    from ssl_core.plugins.manager import get_registries

    entries = [e for e in get_registries().demos.entries() if domain in (None, e.domain)]
    results, failures, seconds = [], [], {}
    for entry in entries:
        start = time.perf_counter()
        click.echo(f"== {entry.name} ({'quick' if quick else 'full'}) ...", err=True)
        try:
            results.append(entry.load()(root / entry.domain, quick=quick))
        except Exception as exc:
            failures.append((entry.name, f"{type(exc).__name__}: {exc}"))
        seconds[entry.name] = time.perf_counter() - start
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
    from ssl_core.cli.domain import default_run_dir
    from ssl_core.evaluation.report import format_comparison

    root = root or default_run_dir("demo")
    results, failures, seconds = run_demos(root, quick=quick, domain=domain)
    if not results and not failures:
        raise click.ClickException("no demos registered" + (f" for domain {domain!r}" if domain else ""))
    rows = [dataclasses.replace(r, task=f"{res.domain}: {r.task}") for res in results for r in res.rows]
    click.echo(format_comparison(rows) if rows else "(no rows)")
    click.echo("\n" + "\n".join(f"{name}: {s:.1f} s" for name, s in seconds.items()))
    click.echo(f"run directories under {root}")
    if failures:
        for name, error in failures:
            click.echo(f"demo {name} FAILED: {error}", err=True)
        raise click.ClickException(f"{len(failures)} of {len(seconds)} demos failed")
