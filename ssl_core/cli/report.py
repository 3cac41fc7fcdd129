"""``ssl report RUN_DIR``: write the run's self-contained ``report.html`` (see :mod:`ssl_core.report`)."""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--no-figures",
    is_flag=True,
    help="Skip the figures that load the checkpoint (embedding PCA, plugin figures).",
)
def report(run_dir: Path, no_figures: bool) -> None:
    """Write RUN_DIR/report.html: config, environment, curves, comparison table, alarms, figures.

    \b
    The page is one file with inline charts: it opens offline in any browser.
    Example: ssl report runs/tabular/20260101-120000 && xdg-open runs/tabular/20260101-120000/report.html
    """
    from ssl_core.report import write_report

    click.echo(f"wrote {write_report(run_dir, figures=not no_figures)}")
