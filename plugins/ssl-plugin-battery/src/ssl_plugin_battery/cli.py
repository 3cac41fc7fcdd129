"""``ssl battery ...`` and the ``ssl-battery`` console script (identical).

``pretrain`` (``--data``: CALCE workbook or folder, NASA-style folder, generic CSV, EV-pack .mat,
Parquet; without it the embedded NASA slice), ``evaluate``, ``embed`` and ``demo`` come from the core;
the domain verb here is ``estimate``.
"""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("battery")


@group.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the table as CSV (and, with labels and matplotlib, OUTPUT with .png).")  # fmt: skip
@click.option("--seed", type=int, default=0, show_default=True, help="Fine-tuning seed.")
def estimate(run_dir: Path, input_path: Path, output: Path | None, seed: int) -> None:
    """Estimate capacity / SOH per cycle of INPUT with the model in RUN_DIR, fine-tuned on the run's labels.

    Prints one row per charge curve: the mean estimate over its snippets and their spread (std).

    \b
    ssl-battery estimate runs/battery/<timestamp> CS2_37_1_28_11.xlsx
    ssl-battery estimate runs/battery/<timestamp> nasa_pcoe_cycles/ -o soh.csv
    """
    from ssl_core.lifecycle import load_owned_run

    from .estimate import estimate_curves, write_estimates

    loaded = load_owned_run(run_dir, domain="battery")
    table = estimate_curves(loaded, input_path, seed)
    click.echo(table.text())
    if output is not None:
        for written in write_estimates(table, output):
            click.echo(f"wrote {written}")


main = domain_main("battery")
