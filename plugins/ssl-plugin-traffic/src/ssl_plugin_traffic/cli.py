"""``ssl traffic ...`` and the ``ssl-traffic`` console script (identical).

``pretrain`` (with ``--graph``), ``evaluate``, ``embed`` and ``demo`` come from the core
(``plugin.py``'s DomainSpec); the domain verb here is ``forecast``.
"""

from __future__ import annotations

from pathlib import Path

import click

from ssl_core.cli.domain import domain_group, domain_main

group = domain_group("traffic")


@group.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--input",
    "input_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Recent readings (.csv/.npz/.h5), at least one input window long.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Forecast file (.csv or .npz).",
)
@click.option("--start", default=None, help="Time of the first input row when the file has no timestamps.")
def forecast(run_dir: Path, input_path: Path, output: Path, start: str | None) -> None:
    """Forecast the next horizon steps after the last window of INPUT with the model in RUN_DIR."""
    from ssl_core.lifecycle import load_owned_run

    from .inference import forecast_series, read_input, write_forecast

    loaded = load_owned_run(run_dir, domain="traffic")
    data = loaded.recipe.data
    series = read_input(input_path, data, start=start)
    pred, stamps = forecast_series(loaded.module, series, data)
    write_forecast(output, pred, stamps, series.sensor_ids)
    click.echo(f"wrote {output} ({pred.shape[0]} steps x {pred.shape[1]} sensors)")


main = domain_main("traffic")
