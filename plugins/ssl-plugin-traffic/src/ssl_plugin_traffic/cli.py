"""``ssl traffic ...`` and the ``ssl-traffic`` console script (identical)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ssl_core.cli.domain import (
    PretrainOptions,
    default_run_dir,
    domain_main,
    embed_command,
    make_group,
    pretrain_options,
    run_pretrain,
)

from .plugin import DEFAULT_EPOCHS, DEFAULT_RECIPE_ARGS, DOMAIN

ABLATION_DIR = "ablation"

group = make_group(
    DOMAIN,
    """ST-SSDL traffic forecasting (self-supervised deviation learning, NeurIPS 2025).

    \b
    Examples:
      ssl-traffic pretrain                                  # simulator, ~2 min on 2 CPU cores
      ssl-traffic pretrain --data los_speed.csv --graph los_adj.csv --epochs 20
      ssl-traffic pretrain --data PEMS08.npz --graph PEMS08_distance.csv --set recipe_args.rnn_units=12
      ssl-traffic evaluate runs/traffic/<timestamp>
      ssl-traffic forecast runs/traffic/<timestamp> --input last_hour.csv -o forecast.csv
      ssl-traffic embed runs/traffic/<timestamp> los_speed.csv -o windows.npy
    """,
)


def build_config(data: Path | None, graph: Path | None, epochs: int | None, steps: int | None) -> Any:
    """The run config: embedded-default sizes, the official optimiser, ``data``/``graph`` if given."""
    from ssl_core.config import load_run_config

    from .plugin import default_config_dict
    from .recipes import STSSDLArgs, build_data

    if data is None:
        if graph is not None:
            raise click.UsageError("--graph needs --data")
        cfg = default_config_dict(epochs or DEFAULT_EPOCHS)
    else:
        args = {**DEFAULT_RECIPE_ARGS, "data": str(data.resolve())}
        if graph is not None:
            args["graph"] = str(graph.resolve())
        train_samples = len(build_data(STSSDLArgs(**args)).starts["train"])
        cfg = default_config_dict(epochs or DEFAULT_EPOCHS, train_samples)
        cfg["recipe_args"] = args
    if steps is not None:
        cfg["train"]["epochs"] = None
        cfg["train"]["steps"] = steps
    return load_run_config(cfg)


@group.command()
@pretrain_options
@click.option(
    "--graph",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Adjacency (.csv matrix, from,to,cost .csv, or .npz); default: the *adj* file next to --data.",
)
@click.option(
    "--epochs", type=click.IntRange(min=1), default=None, help=f"Epochs (default {DEFAULT_EPOCHS})."
)
@click.option(
    "--ablation/--no-ablation",
    default=True,
    show_default=True,
    help="Also train the no-SSL ablation into RUN_DIR/ablation (needed by `evaluate`).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="torch CPU threads (default: 1 for the embedded simulator, torch's default with --data).",
)
def pretrain(
    opts: PretrainOptions,
    graph: Path | None,
    epochs: int | None,
    ablation: bool,
    threads: int | None,
) -> None:
    """Train ST-SSDL on DATA (default: the embedded simulator) and its no-SSL ablation."""
    import torch

    if threads is not None or opts.data is None:
        torch.set_num_threads(threads or 1)  # the small default model gains nothing from more
    config = build_config(opts.data, graph, epochs, opts.steps)
    run_dir = opts.run_dir or default_run_dir(DOMAIN)
    extra = opts.overrides(steps=False)  # --steps is applied by build_config
    run_pretrain(config, run_dir, domain=DOMAIN, overrides=extra)
    if ablation:
        click.echo("training the no-SSL ablation (no history branch, lambda_c = lambda_d = 0)")
        run_pretrain(
            config, run_dir / ABLATION_DIR, domain=DOMAIN, overrides=[*extra, "recipe_args.ssl=false"]
        )
    click.echo(f"run directory: {run_dir}")


@group.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--device", default="cpu", show_default=True)
def evaluate(run_dir: Path, device: str) -> None:
    """Test-split MAE/RMSE/MAPE per horizon step, by input deviation, ST-SSDL vs the no-SSL ablation."""
    from .report import evaluate_run

    click.echo(evaluate_run(run_dir, ablation_dir=run_dir / ABLATION_DIR, device=device).text)


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
    from ssl_core.engine import load_run

    from .inference import forecast_series, read_input, write_forecast

    loaded = load_run(run_dir)
    data = loaded.recipe.extras["data"]
    series = read_input(input_path, data, start=start)
    pred, stamps = forecast_series(loaded.module, series, data)
    write_forecast(output, pred, stamps, series.sensor_ids)
    click.echo(f"wrote {output} ({pred.shape[0]} steps x {pred.shape[1]} sensors)")


def load_windows(path: Path, loaded: Any) -> dict[str, Any]:
    """Every input window of a series file, for ``embed``."""
    import numpy as np

    from .inference import read_input, window_tensors

    data = loaded.recipe.extras["data"]
    series = read_input(path, data)
    tensors = window_tensors(series, data, np.arange(len(series.values) - data.in_len + 1))
    return {"x": tensors["x"], "tod_x": tensors["tod_x"]}


group.add_command(
    embed_command(
        load_windows,
        help="Embed every input window of INPUT (a series file) with the encoder in RUN_DIR: (windows, rnn_units) .npy.",
    )
)
main = domain_main(DOMAIN)
