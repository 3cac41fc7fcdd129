"""Helpers for plugin CLIs: the ``ssl <domain> ...`` group and its ``ssl-<domain>`` console script.

A plugin's ``cli.py`` typically reads::

    from ssl_core.cli.domain import (
        PretrainOptions, default_config, domain_main, embed_command, evaluate_command, make_group,
        pretrain_options, run_pretrain,
    )

    group = make_group("speech", "Speech SSL (TERA). Example: ssl-speech pretrain --steps 200")

    @group.command()
    @pretrain_options
    def pretrain(opts: PretrainOptions):
        \"\"\"Pretrain on DATA (default: the embedded sample).\"\"\"
        config = default_config("speech")
        extra = [f"recipe_args.data={opts.data}"] if opts.data else []
        run_pretrain(config, opts.run_dir, domain="speech", overrides=[*extra, *opts.overrides()])

    group.add_command(evaluate_command())
    group.add_command(embed_command(load_embed_input))
    main = domain_main("speech")

The manifest's ``cli="ssl_plugin_speech.cli:group"`` makes ``ssl speech ...`` load it lazily, and
``ssl-speech = "ssl_plugin_speech.cli:main"`` behaves identically.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS, FriendlyGroup
from ssl_core.errors import ConfigError, PluginError

if TYPE_CHECKING:
    import numpy as np
    from torch.utils.data import Dataset

    from ssl_core.engine import LoadedRun, TrainResult
    from ssl_core.interfaces import Recipe
    from ssl_core.schema import RunConfig

__all__ = [
    "EmbedLoader",
    "PretrainOptions",
    "default_config",
    "default_run_dir",
    "domain_main",
    "embed_command",
    "embed_run",
    "evaluate_command",
    "evaluate_run",
    "format_report",
    "make_group",
    "pretrain_options",
    "pretrain_overrides",
    "probe_rows",
    "run_pretrain",
    "save_npy",
]

F = TypeVar("F", bound=Callable[..., Any])
EmbedLoader = Callable[[Path, "LoadedRun"], "Dataset[Any] | Mapping[str, Any]"]
"""``loader(input_path, loaded_run)`` -> a dataset of batches, or a dict of tensors sharing dim 0."""


def make_group(domain: str, help: str) -> click.Group:
    """The click group of a domain (``ssl <domain> ...`` / ``ssl-<domain> ...``)."""
    return FriendlyGroup(name=domain, help=help, context_settings=CONTEXT_SETTINGS)


@dataclass(frozen=True)
class PretrainOptions:
    """The options every ``pretrain`` command shares (see :func:`pretrain_options`).

    Attributes:
        data: ``--data``, a file or folder in the field's format (``None``: the embedded sample).
        run_dir: ``--run-dir`` (``None``: :func:`default_run_dir`).
        steps, seed, device: ``--steps``, ``--seed``, ``--device`` (``None``: the config's value).
        sets: the ``--set KEY=VALUE`` overrides, in order.
    """

    data: Path | None = None
    run_dir: Path | None = None
    steps: int | None = None
    seed: int | None = None
    device: str | None = None
    sets: tuple[str, ...] = ()

    def overrides(self, *, steps: bool = True) -> list[str]:
        """:func:`pretrain_overrides` of these options (``steps=False`` leaves ``--steps`` to the caller)."""
        return pretrain_overrides(self.steps if steps else None, self.seed, self.device, self.sets)


_SHARED = ("data", "run_dir", "steps", "seed", "device", "overrides")


def pretrain_options(func: F) -> F:
    """Add ``--data``, ``--run-dir``, ``--steps``, ``--seed``, ``--device`` and ``--set KEY=VALUE``.

    The command receives them as one keyword argument ``opts``, a :class:`PretrainOptions`;
    its own options arrive as usual.
    """

    @functools.wraps(func)
    def command(**kwargs: Any) -> Any:
        shared = {key: kwargs.pop(key) for key in _SHARED}
        sets = tuple(shared.pop("overrides"))
        return func(opts=PretrainOptions(**shared, sets=sets), **kwargs)

    options = [
        click.option(
            "--data",
            type=click.Path(exists=True, path_type=Path),
            default=None,
            help="Input file or folder in the field's format (default: the embedded sample).",
        ),
        click.option(
            "--run-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Run directory (default: runs/<domain>/<UTC timestamp>).",
        ),
        click.option(
            "--steps", type=click.IntRange(min=1), default=None, help="Training steps (train.steps)."
        ),
        click.option("--seed", type=int, default=None, help="Random seed (train.seed)."),
        click.option("--device", default=None, help="cpu, cuda, cuda:1, mps or auto (train.device)."),
        click.option(
            "--set",
            "overrides",
            multiple=True,
            metavar="KEY=VALUE",
            help="Override any config key, e.g. --set optim.lr=3e-4 (repeatable).",
        ),
    ]
    wrapped: Any = command
    for option in reversed(options):
        wrapped = option(wrapped)
    return wrapped  # type: ignore[no-any-return]


def pretrain_overrides(
    steps: int | None = None,
    seed: int | None = None,
    device: str | None = None,
    overrides: Sequence[str] = (),
) -> list[str]:
    """The ``--steps/--seed/--device`` options as ``"train.x=v"`` overrides, followed by ``--set`` ones."""
    out = [
        f"train.{key}={value}"
        for key, value in (("steps", steps), ("seed", seed), ("device", device))
        if value is not None
    ]
    return [*out, *overrides]


def default_run_dir(domain: str) -> Path:
    """``runs/<domain>/<UTC timestamp>`` (a suffix is added if that directory already exists)."""
    base = Path("runs") / domain / datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    candidate, n = base, 1
    while candidate.exists():
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate


def default_config(domain: str, overrides: Sequence[str] = ()) -> RunConfig:
    """The validated starter config a plugin returns from ``ssl_default_config(domain)``."""
    from ssl_core.config import load_run_config
    from ssl_core.plugins.manager import get_plugin_manager

    data = get_plugin_manager().default_config(domain)
    if data is None:
        raise PluginError(f"no installed plugin provides a default config for domain {domain!r}")
    return load_run_config(data, overrides)


def run_pretrain(
    config: RunConfig,
    run_dir: Path | None,
    *,
    domain: str,
    overrides: Sequence[str] = (),
    recipe: Recipe | None = None,
) -> TrainResult:
    """Apply ``overrides``, train with :func:`ssl_core.engine.train` and print the run directory."""
    from ssl_core.config import apply_overrides
    from ssl_core.engine import train

    config = apply_overrides(config, overrides)
    result = train(config, run_dir or default_run_dir(domain), recipe=recipe)
    metrics = ", ".join(
        f"{k}={v:.4g}" for k, v in sorted(result.metrics.items()) if isinstance(v, (int, float))
    )
    click.echo(f"finished step {result.step}" + (f": {metrics}" if metrics else ""))
    click.echo(f"run directory: {result.run_dir}")
    return result


def format_report(report: Any) -> str:
    """Render what ``recipe.evaluate`` / a demo returns: comparison rows as a table, else ``key value`` lines."""
    from ssl_core.evaluation.report import ComparisonRow, format_comparison

    if hasattr(report, "format") and hasattr(report, "rows"):
        return str(report.format())
    rows = report.get("rows") if isinstance(report, Mapping) else report
    if isinstance(rows, Sequence) and rows and all(isinstance(r, ComparisonRow) for r in rows):
        return format_comparison(rows)
    if not isinstance(report, Mapping):
        return str(report)
    lines = []
    for key, value in report.items():
        if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (int, float)) for v in value):
            value = f"{value[0]:.4f} +- {value[1]:.4f}"
        lines.append(f"{key:<32} {value}")
    return "\n".join(lines)


def evaluate_run(run_dir: Path, *, device: str = "cpu") -> Any:
    """Load a run and evaluate it: ``recipe.evaluate(module, recipe)``, else the generic probe comparison.

    The generic comparison is a linear probe of the recipe's ``eval_data`` labels on the trained
    encoder versus the same encoder randomly initialised (``ssl_core.evaluation.generic_report``).
    """
    from ssl_core.engine import load_run

    loaded = load_run(run_dir, device=device)
    if loaded.recipe.evaluate is not None:
        return loaded.recipe.evaluate(loaded.module, loaded.recipe)
    from ssl_core.evaluation import generic_report

    return probe_rows(generic_report(loaded.module, loaded.recipe), task=loaded.recipe.label_key or "labels")


_LOWER_IS_BETTER = ("rmse", "mae", "mse", "loss", "error", "wer", "eer")


def probe_rows(report: Mapping[str, Any], *, task: str) -> dict[str, Any]:
    """``{"probe/m": (mean, std), "random/m": ...}`` -> ``{"rows": [ComparisonRow ...], **rest}``."""
    from ssl_core.evaluation.report import ComparisonRow

    rows, rest = [], {}
    for key, value in report.items():
        metric = key.removeprefix("probe/")
        if key.startswith("probe/") and f"random/{metric}" in report:
            higher = not any(tag in metric.lower() for tag in _LOWER_IS_BETTER)
            rows.append(
                ComparisonRow(
                    task,
                    metric,
                    tuple(value),
                    tuple(report[f"random/{metric}"]),
                    higher,
                    {"baseline": "random init"},
                )
            )
        elif not key.startswith("random/"):
            rest[key] = value
    return {"rows": rows, **rest} if rows else dict(report)


def evaluate_command(name: str = "evaluate") -> click.Command:
    """``evaluate RUN_DIR [--device D]``: print the SSL versus no-SSL table of a run (see :func:`evaluate_run`)."""

    @click.command(name=name, context_settings=CONTEXT_SETTINGS)
    @click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.option("--device", default="cpu", show_default=True, help="Device to evaluate on.")
    def command(run_dir: Path, device: str) -> None:
        """Evaluate the run in RUN_DIR: SSL representation versus the same model without SSL."""
        click.echo(format_report(evaluate_run(run_dir, device=device)))

    return command


def save_npy(array: np.ndarray, path: Path) -> Path:
    """Write ``array`` to ``path`` as ``.npy`` atomically (temp file + rename: never a partial file)."""
    import numpy as np

    from ssl_core.utils.atomic import atomic_writer

    with atomic_writer(path) as fh:
        np.save(fh, array, allow_pickle=False)
    return path


def embed_run(
    loaded: LoadedRun, data: Dataset[Any] | Mapping[str, Any], *, batch_size: int = 256, device: str = "cpu"
) -> np.ndarray:
    """``module.embed`` over ``data`` (a dataset, or a dict of tensors sharing dim 0) as a float32 array."""
    import torch

    from ssl_core.data import TensorDictDataset
    from ssl_core.evaluation.generic import embed_dataset

    dataset = TensorDictDataset(data) if isinstance(data, Mapping) else data
    if len(dataset) == 0:  # type: ignore[arg-type]
        raise ConfigError("<input>", "samples", "no samples to embed")
    with torch.no_grad():
        emb, _ = embed_dataset(
            loaded.module, dataset, batch_size=batch_size, collate=loaded.recipe.collate, device=device
        )
    return emb.float().numpy()


def embed_command(loader: EmbedLoader, *, name: str = "embed", help: str | None = None) -> click.Command:
    """``embed RUN_DIR INPUT -o OUT.npy``: load a run, read INPUT with ``loader``, write embeddings.

    Args:
        loader: ``loader(input_path, loaded_run)`` reads INPUT in the domain's format (validating it,
            raising :class:`ssl_core.errors.DataError`) and returns a dataset or a dict of tensors.
        name: command name.
        help: command help (default explains the arguments).
    """

    @click.command(
        name=name,
        context_settings=CONTEXT_SETTINGS,
        help=help or "Embed INPUT with the encoder trained in RUN_DIR; write an (N, D) float32 .npy.",
    )
    @click.argument("run_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
    @click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, path_type=Path))
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="Output .npy file.",
    )
    @click.option("--batch-size", type=click.IntRange(min=1), default=256, show_default=True)
    @click.option("--device", default="cpu", show_default=True)
    def command(run_dir: Path, input_path: Path, output: Path, batch_size: int, device: str) -> None:
        from ssl_core.engine import load_run

        loaded = load_run(run_dir, device=device)
        array = embed_run(loaded, loader(input_path, loaded), batch_size=batch_size, device=device)
        save_npy(array, output)
        click.echo(f"wrote {output} {tuple(array.shape)}")

    return command


def domain_main(domain: str) -> Callable[[Sequence[str] | None], None]:
    """The body of the ``ssl-<domain>`` console script: exactly ``ssl <domain> ...``."""

    def main(argv: Sequence[str] | None = None) -> None:
        from ssl_core.cli.root import cli

        ctx = click.Context(cli, info_name="ssl")
        group = cli.get_command(ctx, domain)
        if group is None:
            click.echo(f"Error: no installed plugin provides 'ssl {domain}' (see `ssl plugins`)", err=True)
            sys.exit(1)
        group.main(args=list(sys.argv[1:] if argv is None else argv), prog_name=f"ssl-{domain}")

    return main
