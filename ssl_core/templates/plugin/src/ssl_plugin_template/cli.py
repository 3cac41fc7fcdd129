"""``ssl template ...`` and the ``ssl-template`` console script (identical)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ssl_core.cli.domain import (
    PretrainOptions,
    default_config,
    domain_main,
    embed_command,
    evaluate_command,
    make_group,
    pretrain_options,
    run_pretrain,
)
from ssl_core.errors import DataError

group = make_group(
    "template",
    """Toy two-view SSL on synthetic clusters.

    \b
    Examples:
      ssl-template pretrain --steps 100
      ssl-template evaluate runs/template/<timestamp>
      ssl-template embed runs/template/<timestamp> features.npy -o embeddings.npy
    """,
)


@group.command()
@pretrain_options
def pretrain(opts: PretrainOptions) -> None:
    """Pretrain the default recipe (synthetic data is made at run time; --data is not used)."""
    if opts.data is not None:
        raise click.UsageError("this toy plugin makes its data at run time; --data is not supported")
    config = default_config("template")
    run_pretrain(config, opts.run_dir, domain="template", overrides=opts.overrides())


def load_features(path: Path, loaded: Any) -> dict[str, Any]:
    """Read an ``(N, F)`` float ``.npy`` feature file, validated against the run's input size."""
    import numpy as np
    import torch

    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        raise DataError(path, "<file>", f"not a readable .npy file: {exc}") from None
    expected = loaded.config.recipe_args.get("dim")
    if array.ndim != 2 or (expected is not None and array.shape[1] != expected):
        raise DataError(path, "x", f"expected shape (N, {expected}), got {array.shape}")
    if not np.issubdtype(array.dtype, np.floating) or not np.isfinite(array).all():
        raise DataError(path, "x", "expected finite floating-point values")
    return {"x": torch.from_numpy(array.astype(np.float32))}


group.add_command(evaluate_command())
group.add_command(embed_command(load_features))
main = domain_main("template")
