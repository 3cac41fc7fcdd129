"""``ssl tabular ...`` and the ``ssl-tabular`` console script (identical)."""

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

group = make_group(
    "tabular",
    """T-JEPA self-supervised learning for tables (Thimonier et al., ICLR 2025).

    \b
    Examples:
      ssl-tabular pretrain                                   # embedded UCI Adult, small model, 400 steps
      ssl-tabular pretrain --data houses.csv --target price --categorical zip
      ssl-tabular pretrain --data /data/tabular/adult --set train.steps=5000
      ssl-tabular evaluate runs/tabular/<timestamp>
      ssl-tabular embed runs/tabular/<timestamp> new_rows.csv -o embeddings.npy
    """,
)


def _columns(value: str | None) -> list[str]:
    return [c.strip() for c in value.split(",") if c.strip()] if value else []


@group.command()
@pretrain_options
@click.option("--target", default=None, help="Label column of a CSV (Adult and rtdl folders know theirs).")
@click.option("--numeric", default=None, metavar="COLS", help="Comma-separated columns forced numeric.")
@click.option(
    "--categorical", default=None, metavar="COLS", help="Comma-separated columns forced categorical."
)
@click.option("--drop", default=None, metavar="COLS", help="Comma-separated columns to ignore.")
def pretrain(
    opts: PretrainOptions,
    target: str | None,
    numeric: str | None,
    categorical: str | None,
    drop: str | None,
) -> None:
    """Pretrain T-JEPA on DATA: a CSV file, an Adult folder (adult.data/.test) or an rtdl folder (N_train.npy ...).

    Without --data it trains on the embedded UCI Adult copy (CC BY 4.0). Numeric and categorical columns are
    inferred; MinMax scaling and label encoding are fitted on the training split only.
    """
    config = default_config("tabular")
    args = config.recipe_args
    if opts.data is not None:
        args["data"] = str(opts.data.resolve())
    args.update({k: v for k, v in (("target", target),) if v})
    for key, value in (("numeric", numeric), ("categorical", categorical), ("drop", drop)):
        if value:
            args[key] = _columns(value)
    run_pretrain(config, opts.run_dir, domain="tabular", overrides=opts.overrides())


def load_table(path: Path, loaded: Any) -> dict[str, Any]:
    """Encode a CSV (or all-numeric ``.npy``) with the run's fitted schema; unseen categories -> index 0."""
    from ssl_plugin_tabular.tables import encode_file

    table = encode_file(path, loaded.recipe.extras["preprocessor"])
    return {"x_num": table.x_num, "x_cat": table.x_cat}


group.add_command(evaluate_command())
group.add_command(
    embed_command(
        load_table,
        help="Embed the rows of INPUT (CSV with the training columns) with the frozen target encoder of "
        "RUN_DIR; write an (N, (n_cls + D) * H) float32 .npy.",
    )
)
main = domain_main("tabular")
