"""Raw tables and their schema: which columns are numeric, which categorical, which is the label.

A :class:`RawTable` holds columns as numpy arrays, either ``float64`` (``NaN`` = missing) or ``object``
arrays of ``str`` (``None`` = missing). :func:`infer_schema` decides the column types (overridable) the
way T-JEPA's benchmark (Gorishniy et al., 2021) splits features into numeric and categorical ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from ssl_core.errors import DataError

Task = Literal["classification", "regression"]

#: Cells (after stripping, case-insensitive) read as missing values.
MISSING_TOKENS = frozenset({"", "?", "na", "n/a", "nan", "null", "none"})

#: A text column is called "numeric with stray text" (an error) when at least this share parses as numbers.
NUMERIC_SHARE = 0.95

#: An integer-valued numeric target with at most this many distinct values is a classification label.
MAX_INT_CLASSES = 20


@dataclass
class RawTable:
    """Named columns of one table, as read from a file (nothing fitted yet).

    Attributes:
        columns: column name -> ``float64`` array (``NaN`` missing) or ``object`` array (``None`` missing).
        source: the file (or description) the table came from, used in error messages.
        lines: per row, its 1-based line number in the source file (``None`` when the table did not
            come from a text file); kept through :meth:`take` so errors name the file's line, not an
            index inside a shuffled split.
    """

    columns: dict[str, np.ndarray]
    source: str = "<table>"
    lines: np.ndarray | None = None

    @property
    def n_rows(self) -> int:
        """Number of rows (0 for a table without columns)."""
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def take(self, rows: np.ndarray) -> RawTable:
        """The table restricted to ``rows`` (indices or a boolean mask); file line numbers follow the rows."""
        lines = None if self.lines is None else self.lines[rows]
        return RawTable({k: v[rows] for k, v in self.columns.items()}, self.source, lines)

    def with_columns(self, columns: dict[str, np.ndarray]) -> RawTable:
        """A table of the same rows (source and line numbers kept) holding ``columns``."""
        return RawTable(columns, self.source, self.lines)

    def locate(self, row: int) -> str:
        """Where row ``row`` (0-based, in this table) is in its file: ``line N`` or, without lines, ``row N`` (1-based)."""
        return f"line {int(self.lines[row])}" if self.lines is not None else f"row {row + 1}"


@dataclass
class TableSchema:
    """Column roles of a table.

    Attributes:
        numeric: numeric feature columns (MinMax-scaled), in token order.
        categorical: categorical feature columns (label-encoded), after the numeric ones in token order.
        target: the label column, or ``None`` for unlabelled pretraining data.
        task: ``"classification"`` or ``"regression"`` when there is a target.
    """

    numeric: list[str] = field(default_factory=list)
    categorical: list[str] = field(default_factory=list)
    target: str | None = None
    task: Task | None = None

    @property
    def features(self) -> list[str]:
        """All feature columns in token order (numeric first, then categorical)."""
        return [*self.numeric, *self.categorical]


def is_missing_text(value: str) -> bool:
    """Whether a stripped CSV cell denotes a missing value."""
    return value.strip().lower() in MISSING_TOKENS


def parse_float(value: object) -> float | None:
    """``value`` as a float (``NaN`` for missing), or ``None`` when it is not a number."""
    if value is None:
        return float("nan")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def as_numeric(
    values: np.ndarray, source: str, column: str, *, strict: bool, locate: Callable[[int], str] | None = None
) -> np.ndarray | None:
    """Parse a column to ``float64``.

    Args:
        values: the raw column.
        source: file name for errors.
        column: column name for errors.
        strict: raise :class:`DataError` on the first non-number (a declared numeric column);
            otherwise return ``None`` for a text column, and raise only when the column is
            overwhelmingly numeric with a few stray text cells (almost always a data error).
        locate: maps a 0-based row to its place in the file for errors (default ``row N``, 1-based).
    """
    if values.dtype.kind in "fiub":
        return values.astype(np.float64)
    parsed = [parse_float(v) for v in values]
    bad = np.flatnonzero([p is None for p in parsed])
    if bad.size == 0:
        return np.asarray(parsed, dtype=np.float64)
    first = int(bad[0])
    where = locate(first) if locate is not None else f"row {first + 1}"
    reason = f"{where}: {values[first]!r} is not a number"
    if strict:
        raise DataError(source, column, reason + " (column declared numeric)")
    present = int(np.sum([v is not None for v in values]))
    if present and 1 - bad.size / present >= NUMERIC_SHARE:
        raise DataError(
            source,
            column,
            f"{reason} ({bad.size} of {present} values are not numbers in an otherwise numeric column; "
            "fix the file or declare the column categorical)",
        )
    return None


def _check_columns(table: RawTable, names: Sequence[str], what: str) -> None:
    for name in names:
        if name not in table.columns:
            raise DataError(table.source, name, f"{what} column not found; columns are {list(table.columns)}")


def infer_task(y: np.ndarray) -> Task:
    """Classification for text labels or integer labels with few values, regression otherwise."""
    if y.dtype.kind == "f":
        finite = y[np.isfinite(y)]
        if np.all(finite == np.round(finite)) and np.unique(finite).size <= MAX_INT_CLASSES:
            return "classification"
        return "regression"
    return "classification"


def infer_schema(
    table: RawTable,
    *,
    target: str | None = None,
    numeric: Sequence[str] = (),
    categorical: Sequence[str] = (),
    drop: Sequence[str] = (),
    task: Task | Literal["auto"] = "auto",
) -> tuple[TableSchema, RawTable]:
    """Decide column roles and return the schema with the table's numeric columns parsed.

    Args:
        table: the raw table.
        target: label column (``None``: no label).
        numeric: columns forced numeric (a non-number cell is a :class:`DataError`).
        categorical: columns forced categorical.
        drop: columns to ignore.
        task: the label's task, or ``"auto"`` (see :func:`infer_task`).

    Returns:
        ``(schema, table)`` where numeric columns (and a regression target) are ``float64``.

    Raises:
        DataError: empty table, unknown column, text in a numeric column, an all-missing column,
            missing values in the target, or a classification target with a single class.
    """
    if table.n_rows == 0:
        raise DataError(table.source, "<rows>", "the table has no data rows")
    _check_columns(table, [target] if target else [], "target")
    _check_columns(table, [*numeric, *categorical, *drop], "declared")
    both = set(numeric) & set(categorical)
    if both:
        raise DataError(table.source, sorted(both)[0], "declared both numeric and categorical")
    cols = dict(table.columns)
    schema = TableSchema(target=target)
    for name, values in table.columns.items():
        if name in drop or name == target:
            continue
        parsed = None
        if name not in categorical:
            parsed = as_numeric(values, table.source, name, strict=name in numeric, locate=table.locate)
        if parsed is not None:
            if np.isnan(parsed).all():
                raise DataError(table.source, name, "all values are missing")
            cols[name] = parsed
            schema.numeric.append(name)
        else:
            cols[name] = _as_text(values)
            if all(v is None for v in cols[name]):
                raise DataError(table.source, name, "all values are missing")
            schema.categorical.append(name)
    if not schema.features:
        raise DataError(table.source, "<columns>", "no feature columns left")
    if target is not None:
        cols[target], schema.task = _target_column(table, target, task)
        if schema.task == "classification":
            _check_classes(table, target, cols[target])
    return schema, table.with_columns(cols)


def _check_classes(table: RawTable, target: str, labels: np.ndarray) -> None:
    """Refuse a classification label with a single class: every prediction would trivially be right."""
    classes = {str(v) for v in labels}
    if len(classes) == 1:
        raise DataError(
            table.source,
            target,
            f"only one class ({classes.pop()!r}) in the training rows; classification needs at least two "
            "(choose another --target, or --task regression for a numeric label)",
        )


def _as_text(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "fiub":
        out = np.empty(len(values), dtype=object)
        for i, v in enumerate(values):
            out[i] = None if v != v else (str(int(v)) if float(v).is_integer() else repr(float(v)))
        return out
    return values


def _target_column(table: RawTable, target: str, task: str) -> tuple[np.ndarray, Task]:
    raw = table.columns[target]
    missing = np.flatnonzero([v is None or v != v for v in raw])
    if missing.size:
        raise DataError(table.source, target, f"{table.locate(int(missing[0]))}: the label is missing")
    parsed = as_numeric(raw, table.source, target, strict=task == "regression", locate=table.locate)
    chosen: Task = infer_task(parsed if parsed is not None else raw) if task == "auto" else task  # type: ignore[assignment]
    if chosen == "regression":
        assert parsed is not None
        return parsed, chosen
    return _as_text(parsed) if parsed is not None else raw, chosen


def apply_schema(table: RawTable, schema: TableSchema, *, labels: bool = True) -> RawTable:
    """Parse a new table (validation, test or inference data) with a schema fitted elsewhere.

    Raises:
        DataError: a feature column (or the target when ``labels``) is absent, a numeric column holds
            text, or a label is missing.
    """
    if table.n_rows == 0:
        raise DataError(table.source, "<rows>", "the table has no data rows")
    _check_columns(table, schema.features, "feature")
    cols = {
        name: as_numeric(table.columns[name], table.source, name, strict=True, locate=table.locate)
        for name in schema.numeric
    }
    cols.update({name: _as_text(table.columns[name]) for name in schema.categorical})
    if labels and schema.target is not None:
        _check_columns(table, [schema.target], "target")
        cols[schema.target], _ = _target_column(table, schema.target, schema.task or "auto")
    return table.with_columns(cols)  # type: ignore[arg-type]
