"""The run's data: from a path (or nothing) to encoded train / val / test splits with a fitted preprocessor.

:func:`prepare_table` recognises:

* ``None``: the embedded UCI Adult copy (train/val from ``adult.data``, test = ``adult.test``);
* a folder holding ``adult.data`` (+ ``adult.test``): UCI Adult, same split;
* a folder holding ``N_train.npy`` (rtdl layout, e.g. California housing): its train / val / test;
* a CSV file (optionally gzip-compressed): seeded random val and test splits.

Preprocessing is fitted on the training split only (T-JEPA protocol, Thimonier et al., ICLR 2025).
The :class:`PreparedTable` is the recipe's data object: its state (the fitted preprocessor and the
encoded splits the downstream protocol needs) is kept in the run's ``data.pt``, so ``evaluate`` and
``embed`` work after the training file is gone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from torch import Tensor
from torch.utils.data import Dataset

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_plugin_tabular import readers
from ssl_plugin_tabular.config import TJEPAArgs
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
    """Encoded splits (``train`` always; ``val`` / ``test`` when available) and the fitted preprocessor.

    Attributes:
        name: the table's name (``adult``, the CSV's stem, the rtdl folder's name).
        prep: the preprocessor fitted on the training split.
        splits: the encoded splits.
        keep_train: how many training rows the run keeps for the downstream MLPs (all when ``None``).
        train: the pretraining dataset (``None`` when restored from a run directory).
    """

    name: str
    prep: TablePreprocessor
    splits: dict[str, EncodedTable] = field(default_factory=dict)
    keep_train: int | None = None
    train: Dataset[Any] | None = None

    @property
    def task(self) -> str | None:
        """``classification``, ``regression`` or ``None`` (unlabelled)."""
        return self.prep.schema.task

    @property
    def eval(self) -> TensorDictDataset | None:
        """The validation split (what the engine's online probe reads), if any."""
        val = self.splits.get("val")
        return None if val is None else TensorDictDataset(val.tensors(), source=self.name)

    @property
    def label_key(self) -> str | None:
        """``"y"`` for classification (the online probe is a classifier), else ``None``."""
        return "y" if self.task == "classification" else None

    def state_dict(self) -> dict[str, Any]:
        """The fitted preprocessor and the encoded splits (training split capped at ``keep_train``)."""
        splits = {k: (v.head(self.keep_train) if k == "train" else v) for k, v in self.splits.items()}
        return {
            "name": self.name,
            "preprocessor": self.prep.to_state(),
            "splits": {k: v.to_state() for k, v in splits.items()},
        }


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
    keep, val = readers.split_rows(train.n_rows, val_fraction, seed)
    raw = {"train": train.take(keep), "val": train.take(val), "test": test}
    return _fit("adult", raw, TableSpec(target=readers.ADULT_TARGET))


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
        return _adult(*readers.embedded_adult(), val_fraction, seed)
    path = Path(path)
    if path.is_dir():
        if any((path / n).is_file() for n in ("adult.data", "adult.data.gz")):
            return _adult(*readers.load_adult(path), val_fraction, seed)
        if (path / "N_train.npy").is_file():
            raw = readers.load_california(path)
            return _fit(path.name, raw, TableSpec(**{**spec.__dict__, "target": readers.CALIFORNIA_TARGET}))
        raise DataError(path, "<folder>", "expected adult.data or N_train.npy (rtdl layout) in the folder")
    if not path.exists():
        raise DataError(path, "<file>", "file not found")
    table = readers.read_csv(path)
    rest, test = readers.split_rows(table.n_rows, test_fraction, seed)
    train, val = readers.split_rows(len(rest), val_fraction, seed + 1)
    raw = {"train": table.take(rest[train]), "val": table.take(rest[val]), "test": table.take(test)}
    raw = {k: v for k, v in raw.items() if v.n_rows > 0}
    return _fit(path.stem, raw, spec)


def encode_file(path: str | Path, prep: TablePreprocessor, *, labels: bool = False) -> EncodedTable:
    """Encode a new CSV / ``.npy`` file with a fitted preprocessor (for ``ssl-tabular embed``).

    Unseen categories map to the reserved index 0 (counted in ``EncodedTable.n_unseen``).
    """
    path = Path(path)
    if path.suffix == ".npy":
        table = readers.load_arrays(path, names=prep.schema.features if not prep.schema.categorical else None)
    else:
        table = readers.read_csv(path)
    return prep.transform(apply_schema(table, prep.schema, labels=labels), labels=labels)


def build_data(args: TJEPAArgs) -> PreparedTable:
    """Read, split, fit and encode the table named by ``args`` (the recipe's data phase)."""
    spec = TableSpec(args.target, args.numeric, args.categorical, args.drop, args.task)
    fractions = {"val_fraction": args.val_fraction, "test_fraction": args.test_fraction}
    prepared = prepare_table(args.data, spec, **fractions, seed=args.split_seed)
    prepared.keep_train = args.eval_max_train
    prepared.train = TensorDictDataset(prepared.splits["train"].tensors(), source=prepared.name)
    return prepared


def restore_data(args: TJEPAArgs, state: Mapping[str, Any]) -> PreparedTable:
    """The data of a finished run from its ``data.pt`` state (no file is read)."""
    prep = TablePreprocessor.from_state(state["preprocessor"])
    splits = {k: EncodedTable.from_state(v) for k, v in state["splits"].items()}
    return PreparedTable(str(state["name"]), prep, splits, keep_train=args.eval_max_train)


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT: a CSV (or all-numeric ``.npy``) encoded with the run's fitted preprocessor."""
    table = encode_file(path, run.recipe.data.prep)
    return {"x_num": table.x_num, "x_cat": table.x_cat}
