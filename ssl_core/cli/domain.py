"""``ssl <domain> ...`` and ``ssl-<domain> ...``: the commands every domain gets from the core.

A plugin's ``cli.py`` holds only its domain verbs::

    from ssl_core.cli.domain import domain_group, domain_main

    group = domain_group("traffic")      # pretrain, evaluate, embed, demo from the DomainSpec

    @group.command()
    def forecast(...): ...               # a domain verb

    main = domain_main("traffic")        # the ssl-traffic console script

The manifest's ``cli=".cli:group"`` makes ``ssl traffic ...`` load the same group lazily, so
``ssl traffic X`` and ``ssl-traffic X`` are identical.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS, FriendlyGroup, check_device
from ssl_core.cli.loudness import add_loudness
from ssl_core.lifecycle.options import PretrainOptions, args_options
from ssl_core.utils.rundirs import default_run_dir

__all__ = ["default_run_dir", "domain_group", "domain_main", "format_rows", "save_npy"]

_RUN_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


def format_rows(rows: Sequence[Any]) -> str:
    """The comparison table of ``rows`` (``ssl eval``, ``evaluate`` and ``demo`` print the same)."""
    from ssl_core.evaluation.report import format_comparison

    return format_comparison(list(rows)) if rows else "(no comparison rows)"


def save_npy(array: Any, path: Path) -> Path:
    """Write ``array`` to ``path`` as ``.npy`` atomically (never a partial file)."""
    import numpy as np

    from ssl_core.utils.atomic import atomic_writer

    with atomic_writer(path) as fh:
        np.save(fh, array, allow_pickle=False)
    return path


def _shared_options() -> list[Callable[[Any], Any]]:
    return [
        click.option("--data", type=click.Path(exists=True, path_type=Path), default=None,
                     help="Input file or folder in the field's format (default: the embedded default)."),
        click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Run directory (default: runs/<domain>/<UTC timestamp>)."),
        click.option("--resume", type=_RUN_DIR, default=None, metavar="RUN_DIR",
                     help="Continue the run in RUN_DIR (and its baseline runs) from the last checkpoints."),
        click.option("--force", is_flag=True,
                     help="Overwrite a run directory that holds a run; with --resume, accept a changed config."),
        click.option("--steps", type=click.IntRange(min=1), default=None, help="Training steps (train.steps)."),
        click.option("--seed", type=int, default=None, help="Random seed (train.seed)."),
        click.option("--device", callback=check_device, default=None, help="cpu, cuda, cuda:1, mps or auto (train.device)."),
        click.option("--nproc-per-node", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Processes on this machine; >1 relaunches through torchrun (DDP)."),
        click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
                     help="Override any config key, e.g. --set optim.lr=3e-4 (repeatable)."),
    ]  # fmt: skip


def _pretrain_command(domain: str, args_cls: type | None, names: Sequence[str]) -> click.Command:
    def pretrain(**kwargs: Any) -> None:
        from ssl_core.lifecycle import pretrain as run

        given = {k.removeprefix("arg__"): kwargs.pop(k) for k in list(kwargs) if k.startswith("arg__")}
        args = {k: v for k, v in given.items() if v is not None}  # unset options: the config decides
        kwargs["sets"] = tuple(kwargs.pop("sets"))
        result = run(domain, PretrainOptions(**kwargs, args=args))
        click.echo(f"run directory: {result.run_dir}")

    pretrain.__doc__ = f"Pretrain on DATA (default: the embedded default of {domain}); also trains the plugin's baseline runs."
    command: Any = pretrain
    plugin_options = args_options(args_cls, names) if args_cls is not None else []
    for option in reversed([*_shared_options(), *plugin_options]):
        command = option(command)
    return add_loudness(click.command(name="pretrain", context_settings=CONTEXT_SETTINGS)(command))


def _evaluate_command(domain: str) -> click.Command:
    @click.command(name="evaluate", context_settings=CONTEXT_SETTINGS)
    @click.argument("run_dir", type=_RUN_DIR)
    @click.option(
        "--device", callback=check_device, default="cpu", show_default=True, help="Device to evaluate on."
    )
    @click.option("--quick", is_flag=True, help="A fast, rough evaluation (fewer seeds and epochs).")
    @click.option(
        "--seeds", type=click.IntRange(min=1), default=None, help="Evaluation seeds (plugin default)."
    )
    def evaluate(run_dir: Path, device: str, quick: bool, seeds: int | None) -> None:
        """Evaluate RUN_DIR: the SSL representation versus the same model without SSL and baselines."""
        from ssl_core.lifecycle import evaluate_run

        click.echo(format_rows(evaluate_run(run_dir, domain=domain, device=device, quick=quick, seeds=seeds)))

    return add_loudness(evaluate)


def _embed_command(domain: str) -> click.Command:
    @click.command(name="embed", context_settings=CONTEXT_SETTINGS)
    @click.argument("run_dir", type=_RUN_DIR)
    @click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help="Output .npy file (N, D) float32.")  # fmt: skip
    @click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
    @click.option("--device", callback=check_device, default="cpu", show_default=True)
    def embed(run_dir: Path, input_path: Path, output: Path, batch_size: int, device: str) -> None:
        """Embed INPUT (the domain's format) with the encoder trained in RUN_DIR; write an .npy."""
        from ssl_core.lifecycle import embed_array, embed_input, load_owned_run

        run = load_owned_run(run_dir, domain=domain, device=device)
        array = embed_array(run, embed_input(run, input_path), batch_size=batch_size, device=device)
        save_npy(array, output)
        click.echo(f"wrote {output} {tuple(array.shape)}")

    return add_loudness(embed)


def _demo_command(domain: str) -> click.Command:
    @click.command(name="demo", context_settings=CONTEXT_SETTINGS)
    @click.option("--quick", is_flag=True, help="A few steps (smoke test), not the real default.")
    @click.option("--run-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                  help="Run directory (default: runs/<domain>/<UTC timestamp>).")  # fmt: skip
    def demo(quick: bool, run_dir: Path | None) -> None:
        """Pretrain the embedded default with its baselines, then print the evaluation table."""
        from ssl_core.lifecycle import run_demo
        from ssl_core.utils.verbosity import info

        result = run_demo(domain, run_dir or default_run_dir(domain), quick=quick, echo=info)
        click.echo(result.format())

    return add_loudness(demo)


def domain_group(domain: str, help: str | None = None) -> click.Group:
    """The click group of ``domain``: ``pretrain``, ``evaluate``, ``embed`` (if declared) and ``demo``.

    The lifecycle comes from the plugin's ``DomainSpec``; add domain verbs with ``@group.command()``.
    """
    from ssl_core.plugins.manager import get_plugin_manager, get_registries

    pm = get_plugin_manager()
    spec = pm.domain_spec(domain)
    info = next(i for i in pm.plugins() if i.domain == domain)
    entry = get_registries().recipes.get(f"{domain}/{spec.recipe}")
    text = help or (info.manifest.description if info.manifest else domain)
    if spec.examples:
        text += "\n\n\b\nExamples:\n" + "\n".join(f"  {line}" for line in spec.examples.strip().splitlines())
    group = FriendlyGroup(name=domain, help=text, context_settings=CONTEXT_SETTINGS)
    group.add_command(_pretrain_command(domain, entry.config_cls, spec.options))
    group.add_command(_evaluate_command(domain))
    if spec.embed_input is not None:
        group.add_command(_embed_command(domain))
    group.add_command(_demo_command(domain))
    return group


def domain_main(domain: str) -> Callable[[Sequence[str] | None], None]:
    """The body of the ``ssl-<domain>`` console script: exactly ``ssl <domain> ...``."""

    def main(argv: Sequence[str] | None = None) -> None:
        from ssl_core.cli.errors import exit_code
        from ssl_core.cli.root import cli
        from ssl_core.errors import PluginError

        ctx = click.Context(cli, info_name="ssl")
        try:  # loading the plugin happens before the group's own error boundary
            group = cli.get_command(ctx, domain)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except PluginError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exit_code(exc))
        if group is None:
            click.echo(f"Error: no installed plugin provides 'ssl {domain}' (see `ssl plugins`)", err=True)
            sys.exit(1)
        group.main(args=list(sys.argv[1:] if argv is None else argv), prog_name=f"ssl-{domain}")

    return main
