"""``ssl init``, ``ssl train``, ``ssl eval`` and ``ssl plot``: configs in, run directories out."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import yaml

from ssl_core.cli.domain import default_run_dir, format_rows
from ssl_core.cli.errors import CONTEXT_SETTINGS, check_device
from ssl_core.cli.loudness import add_loudness
from ssl_core.errors import PluginError

_RUN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("domain")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Where to write (default: <domain>.yaml; '-' for stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(domain: str, output: str | None, force: bool) -> None:
    """Write the starter YAML config of DOMAIN (from the plugin's ssl_default_config hook).

    \b
    Example: ssl init core -o run.yaml && ssl train run.yaml
    """
    from ssl_core.config import dump_yaml, load_run_config
    from ssl_core.plugins.manager import get_plugin_manager

    pm = get_plugin_manager()
    data = pm.default_config(domain)
    if data is None:
        domains = ", ".join(sorted(i.domain for i in pm.plugins() if i.domain))
        raise PluginError(
            f"no plugin provides a default config for domain {domain!r}; installed domains: {domains}"
        )
    load_run_config(data)  # a plugin's starter config must itself be valid (recipe_args: at train time)
    if output == "-":
        click.echo(yaml.safe_dump(data, sort_keys=False), nl=False)
        return
    path = Path(output or f"{domain}.yaml")
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; pass --force to overwrite")
    dump_yaml(data, path)
    click.echo(f"wrote {path}")


def _under_torchrun() -> bool:
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
@click.option(
    "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a config key (repeatable)."
)
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run directory (default: runs/<domain>/<UTC timestamp>).",
)
@click.option(
    "--resume",
    "resume_dir",
    type=_RUN_DIR,
    default=None,
    help="Continue the run in RUN_DIR from its last checkpoint (CONFIG defaults to its config.yaml).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite a run directory that holds a run; with --resume, accept a changed config.",
)
@click.option(
    "--nproc-per-node",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Processes on this machine; >1 relaunches through torchrun (DDP).",
)
@click.option(
    "--device", callback=check_device, default=None, help="cpu, cuda, cuda:1, mps or auto (train.device)."
)
def train(
    config: Path | None,
    overrides: tuple[str, ...],
    run_dir: Path | None,
    resume_dir: Path | None,
    force: bool,
    nproc_per_node: int,
    device: str | None,
) -> None:
    """Train the recipe described by CONFIG (a YAML file; see `ssl init`).

    \b
    Examples:
      ssl train run.yaml --set train.steps=200 --set optim.lr=3e-4
      ssl train run.yaml --nproc-per-node 2 --device cpu
      ssl train --resume runs/core/20260101-120000 --set train.steps=2000
    """
    from ssl_core.config import config_source, load_run_config
    from ssl_core.plugins.recipe_args import validate_recipe_args

    if config is None and resume_dir is None:
        raise click.UsageError("give CONFIG, or --resume RUN_DIR")
    if resume_dir is not None and run_dir is not None and run_dir.resolve() != resume_dir.resolve():
        raise click.UsageError("--run-dir and --resume name different directories")
    config = config or resume_dir / "config.yaml"  # type: ignore[operator]
    overrides = (*overrides, *((f"train.device={device}",) if device else ()))
    cfg = validate_recipe_args(load_run_config(config, overrides), config_source(config), overrides)
    target = resume_dir or run_dir or default_run_dir(cfg.recipe.split("/", 1)[0])
    if nproc_per_node > 1 and not _under_torchrun():
        from ssl_core.distributed import relaunch_with_torchrun

        argv = ["train", str(config), "--run-dir", str(target), *[a for o in overrides for a in ("--set", o)]]
        argv += ["--resume", str(resume_dir)] if resume_dir else []
        argv += ["--force"] if force else []
        sys.exit(relaunch_with_torchrun(nproc_per_node, argv))
    from ssl_core.engine import train as engine_train

    result = engine_train(cfg, target, resume=resume_dir is not None, force=force)
    metrics = ", ".join(
        f"{k}={v:.4g}" for k, v in sorted(result.metrics.items()) if isinstance(v, (int, float))
    )
    click.echo(f"finished step {result.step}" + (f": {metrics}" if metrics else ""))
    click.echo(f"run directory: {result.run_dir}")


@click.command(name="eval", context_settings=CONTEXT_SETTINGS)
@click.argument("run_dir", type=_RUN_DIR)
@click.option("--device", callback=check_device, default="cpu", show_default=True)
@click.option("--quick", is_flag=True, help="A fast, rough evaluation (fewer seeds and epochs).")
@click.option("--seeds", type=click.IntRange(min=1), default=None, help="Evaluation seeds (plugin default).")
def evaluate(run_dir: Path, device: str, quick: bool, seeds: int | None) -> None:
    """Evaluate RUN_DIR with its plugin's evaluation (the table `ssl-<domain> evaluate` prints);
    runs of recipes without one get a linear probe of their eval labels versus random init.
    """
    from ssl_core.lifecycle import evaluate_run

    click.echo(format_rows(evaluate_run(run_dir, device=device, quick=quick, seeds=seeds)))


@click.command(context_settings=CONTEXT_SETTINGS)
@click.argument("run_dir", type=_RUN_DIR)
def plot(run_dir: Path) -> None:
    """Plot the metrics of RUN_DIR (loss, learning rate, monitors) into RUN_DIR/plots."""
    from ssl_core.engine.plot import plot_run

    try:
        paths = plot_run(run_dir)
    except ImportError as exc:  # matplotlib is the optional extra ssl-core[plot]
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(f"wrote {path}")


for _command in (train, evaluate):  # -q / -v on the commands too (ssl_core.cli.loudness)
    add_loudness(_command)
