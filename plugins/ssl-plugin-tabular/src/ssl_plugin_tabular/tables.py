"""From a path (or nothing) to encoded train / val / test splits with a fitted preprocessor.

:func:`prepare_table` recognises:

* ``None``: the embedded UCI Adult copy (train/val from ``adult.data``, test = ``adult.test``);
* a folder holding ``adult.data`` (+ ``adult.test``): UCI Adult, same split;
* a folder holding ``N_train.npy`` (rtdl layout, e.g. California housing): its train / val / test;
* a CSV file (optionally gzip-compressed): seeded random val and test splits.

Preprocessing is fitted on the training split only (T-JEPA protocol, Thimonier et al., ICLR 2025).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ssl_core.errors import DataError
from ssl_plugin_tabular import data
from ssl_plugin_tabular.preprocess import EncodedTable, TablePreprocessor
from ssl_plugin_tabular.schema import RawTable, apply_schema, infer_schema


@dataclass
class TableSpec:
    """How to read a user table: the label and column-role overrides."""

    target: str | None = None
    numeric: Sequence[str] = ()
    categorical: Sequence[str] = ()
    drop: Sequence[str] = ()
    task: str = "auto"


@dataclass
class PreparedTable:
    """Encoded splits (``train`` always; ``val`` / ``test`` when available) and the fitted preprocessor."""

    name: str
    prep: TablePreprocessor
    splits: dict[str, EncodedTable] = field(default_factory=dict)

    @property
    def task(self) -> str | None:
        """``classification``, ``regression`` or ``None`` (unlabelled)."""
        return self.prep.schema.task


def _fit(name: str, raw: dict[str, RawTable], spec: TableSpec) -> PreparedTable:
    schema, train = infer_schema(
        raw["train"],
        target=spec.target,
        numeric=spec.numeric,
        categorical=spec.categorical,
        drop=spec.drop,
        task=spec.task,  # type: ignore[arg-type]
    )
    prep = TablePreprocessor.fit(schema, train)
    splits = {"train": prep.transform(train)}
    for split, table in raw.items():
        if split != "train":
            splits[split] = prep.transform(apply_schema(table, schema))
    return PreparedTable(name, prep, splits)


def _adult(train: RawTable, test: RawTable, val_fraction: float, seed: int) -> PreparedTable:
    keep, val = data.split_rows(train.n_rows, val_fraction, seed)
    raw = {"train": train.take(keep), "val": train.take(val), "test": test}
    return _fit("adult", raw, TableSpec(target=data.ADULT_TARGET))


def prepare_table(
    path: str | Path | None = None,
    spec: TableSpec | None = None,
    *,
    val_fraction: float = 0.2,
    test_fraction: float = 0.2,
    seed: int = 0,
) -> PreparedTable:
    """Read, split, fit and encode a table (see the module docstring for what ``path`` may be).

    Raises:
        DataError: unreadable or malformed input (see :mod:`ssl_plugin_tabular.data` and
            :mod:`ssl_plugin_tabular.schema`).
    """
    spec = spec or TableSpec()
    if path is None:
        return _adult(*data.embedded_adult(), val_fraction, seed)
    path = Path(path)
    if path.is_dir():
        if any((path / n).is_file() for n in ("adult.data", "adult.data.gz")):
            return _adult(*data.load_adult(path), val_fraction, seed)
        if (path / "N_train.npy").is_file():
            raw = data.load_california(path)
            return _fit(path.name, raw, TableSpec(**{**spec.__dict__, "target": data.CALIFORNIA_TARGET}))
        raise DataError(path, "<folder>", "expected adult.data or N_train.npy (rtdl layout) in the folder")
    if not path.exists():
        raise DataError(path, "<file>", "file not found")
    table = data.read_csv(path)
    rest, test = data.split_rows(table.n_rows, test_fraction, seed)
    train, val = data.split_rows(len(rest), val_fraction, seed + 1)
    raw = {"train": table.take(rest[train]), "val": table.take(rest[val]), "test": table.take(test)}
    raw = {k: v for k, v in raw.items() if v.n_rows > 0}
    return _fit(path.stem, raw, spec)


def encode_file(path: str | Path, prep: TablePreprocessor, *, labels: bool = False) -> EncodedTable:
    """Encode a new CSV / ``.npy`` file with a fitted preprocessor (for ``ssl-tabular embed``).

    Unseen categories map to the reserved index 0 (counted in ``EncodedTable.n_unseen``).
    """
    path = Path(path)
    if path.suffix == ".npy":
        table = data.load_arrays(path, names=prep.schema.features if not prep.schema.categorical else None)
    else:
        table = data.read_csv(path)
    return prep.transform(apply_schema(table, prep.schema, labels=labels), labels=labels)
