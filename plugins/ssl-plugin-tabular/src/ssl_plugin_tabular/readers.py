"""Readers for the tabular formats T-JEPA is evaluated on: CSV (plain or gzip) and numpy arrays.

* :func:`read_csv`: delimited text with or without a header, ``?``/empty/``NA`` cells as missing.
* :func:`load_arrays`: ``.npy`` feature matrices (the rtdl ``N_*.npy`` / ``C_*.npy`` / ``y_*.npy`` layout).
* :func:`load_adult` (UCI ``adult.data`` / ``adult.test``) and :func:`load_california` (rtdl split), the
  two benchmark tables of Thimonier et al. (ICLR 2025) that we have, and :func:`embedded_adult`, the
  gzip copy of Adult (CC BY 4.0) shipped inside the package for offline runs.

Every reader validates what it reads and raises :class:`ssl_core.errors.DataError` naming the file, the
column (or line) and the reason.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_tabular.schema import RawTable, is_missing_text

ADULT_COLUMNS = (
    "age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
    "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income",
)  # fmt: skip
ADULT_TARGET = "income"
CALIFORNIA_TARGET = "median_house_value"


def _open_text(path: Path) -> io.TextIOBase:
    if not path.is_file():
        raise DataError(path, "<file>", "file not found")
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DataError(path, "<file>", f"corrupt gzip data: {exc}") from exc
    try:
        return io.StringIO(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise DataError(path, "<file>", f"not UTF-8 text at byte {exc.start}") from exc


def _is_infinite(cell: str) -> bool:
    """Whether ``cell`` is a number that parses to +-infinity (``inf``, ``-Infinity``, ``1e999``)."""
    low = cell.lower()
    if "inf" not in low and "e" not in low:
        return False
    try:
        return math.isinf(float(cell))
    except ValueError:
        return False


def read_csv(
    path: str | Path,
    *,
    names: Sequence[str] | None = None,
    delimiter: str = ",",
    skip_lines: int = 0,
    strip_suffix: dict[str, str] | None = None,
) -> RawTable:
    """Read a delimited text table into a :class:`RawTable` of text columns.

    Args:
        path: the file (``.gz`` content is detected and decompressed).
        names: column names; ``None`` reads them from the first (header) line.
        delimiter: field separator.
        skip_lines: lines to skip before the header / first row (e.g. 1 for UCI ``adult.test``).
        strip_suffix: ``{column: suffix}`` removed from the end of that column's cells (``{"income": "."}``).

    Raises:
        DataError: empty file, duplicate or blank header names, a row with a different number of
            fields than the header, or an infinite number (naming the line).
    """
    path = Path(path)
    reader = csv.reader(_open_text(path), delimiter=delimiter, skipinitialspace=True)
    try:
        rows = [(reader.line_num, r) for r in reader if r and any(c.strip() for c in r)]
    except csv.Error as exc:  # a NUL byte, a lone carriage return inside a field
        raise DataError(path, f"line {reader.line_num}", f"not a readable CSV row ({exc})") from None
    rows = [(n, r) for n, r in rows if n > skip_lines]
    if not rows:
        raise DataError(path, "<file>", "empty file (no header and no rows)")
    if names is None:
        names = [c.strip() for c in rows.pop(0)[1]]
        if any(not n for n in names) or len(set(names)) != len(names):
            raise DataError(path, "<header>", f"blank or duplicate column names in {names}")
    if not rows:
        raise DataError(path, "<rows>", "the file has a header but no data rows")
    width = len(names)
    for line, row in rows:
        if len(row) != width:
            raise DataError(path, f"line {line}", f"expected {width} fields, found {len(row)} (ragged row)")
    columns: dict[str, np.ndarray] = {}
    suffixes = strip_suffix or {}
    for j, name in enumerate(names):
        col = np.empty(len(rows), dtype=object)
        suffix = suffixes.get(name)
        for i, (_, row) in enumerate(rows):
            cell = row[j].strip()
            if suffix and cell.endswith(suffix):
                cell = cell[: -len(suffix)]
            if _is_infinite(cell):
                raise DataError(
                    path, name, f"line {rows[i][0]}: infinite value {cell!r} (only finite numbers)"
                )
            col[i] = None if is_missing_text(cell) else cell
        columns[name] = col
    lines = np.fromiter((n for n, _ in rows), dtype=np.int64, count=len(rows))
    return RawTable(columns, str(path), lines)


def load_npy(path: str | Path, *, ndim: int, kind: str) -> np.ndarray:
    """Load one ``.npy`` array safely (no pickles) and check its rank and dtype kind (``"f"``, ``"i"``, ``"O"``...)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "<file>", "file not found")
    try:
        arr = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(path, "<array>", f"not a readable .npy array: {exc}") from exc
    if arr.ndim != ndim:
        raise DataError(path, "<array>", f"expected {ndim} dimensions, found shape {arr.shape}")
    if arr.dtype.kind not in kind:
        raise DataError(path, "<array>", f"dtype {arr.dtype} is not one of kinds {kind!r}")
    if arr.shape[0] == 0:
        raise DataError(path, "<array>", "empty array")
    return arr


def load_arrays(
    x_num: str | Path | None,
    y: str | Path | None = None,
    *,
    x_cat: str | Path | None = None,
    names: Sequence[str] | None = None,
    target: str = "target",
) -> RawTable:
    """Build a :class:`RawTable` from ``.npy`` files: numeric ``(N, d)``, categorical ``(N, c)`` and labels ``(N,)``.

    Raises:
        DataError: unreadable file, wrong rank or dtype, non-finite numeric values other than NaN
            (infinities), or mismatched row counts (naming the file).
    """
    columns: dict[str, np.ndarray] = {}
    n_rows: int | None = None
    parts: list[tuple[Path, np.ndarray, str]] = []
    if x_num is not None:
        parts.append((Path(x_num), load_npy(x_num, ndim=2, kind="fiub"), "num"))
    if x_cat is not None:
        parts.append((Path(x_cat), load_npy(x_cat, ndim=2, kind="iubUO"), "cat"))
    if not parts:
        raise DataError("<arrays>", "<features>", "no feature array given")
    width = sum(a.shape[1] for _, a, _ in parts)
    if names is not None and len(names) != width:
        raise DataError(parts[0][0], "<columns>", f"{len(names)} names for {width} feature columns")
    names = list(names) if names is not None else [f"{k}_{j}" for _, a, k in parts for j in range(a.shape[1])]
    col = 0
    for path, arr, kind in parts:
        n_rows = arr.shape[0] if n_rows is None else n_rows
        if arr.shape[0] != n_rows:
            raise DataError(path, "<rows>", f"{arr.shape[0]} rows, expected {n_rows} as in the other arrays")
        if kind == "num" and np.isinf(arr.astype(np.float64)).any():
            bad = int(np.argwhere(np.isinf(arr))[0][1])
            raise DataError(path, names[col + bad], "infinite values")
        for j in range(arr.shape[1]):
            columns[names[col + j]] = (
                arr[:, j].astype(np.float64) if kind == "num" else arr[:, j].astype(str).astype(object)
            )
        col += arr.shape[1]
    if y is not None:
        labels = load_npy(y, ndim=1, kind="fiubUO")
        if labels.shape[0] != n_rows:
            raise DataError(y, "<rows>", f"{labels.shape[0]} labels for {n_rows} rows")
        columns[target] = labels.astype(np.float64) if labels.dtype.kind in "fiub" else labels.astype(object)
    return RawTable(columns, str(parts[0][0]))


def load_adult(directory: str | Path) -> tuple[RawTable, RawTable]:
    """UCI Adult: ``(train, test)`` from ``adult.data`` and ``adult.test`` (``.gz`` variants accepted).

    ``adult.test`` starts with a junk line (``|1x3 Cross validator``) that is skipped, and its labels end
    with ``.`` (``<=50K.``), which is stripped so both splits share the classes ``<=50K`` / ``>50K``.
    """
    directory = Path(directory)
    files = [_first_existing(directory, name) for name in ("adult.data", "adult.test")]
    train = read_csv(files[0], names=ADULT_COLUMNS, strip_suffix={ADULT_TARGET: "."})
    test = read_csv(files[1], names=ADULT_COLUMNS, skip_lines=1, strip_suffix={ADULT_TARGET: "."})
    return train, test


def embedded_adult() -> tuple[RawTable, RawTable]:
    """The Adult copy shipped as package data (CC BY 4.0; attribution in ``data_files/NOTICE``)."""
    root = resources.files("ssl_plugin_tabular") / "data_files"
    with resources.as_file(root) as path:
        return load_adult(path)


def _first_existing(directory: Path, name: str) -> Path:
    for candidate in (directory / name, directory / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    raise DataError(directory / name, "<file>", "file not found (nor a .gz copy)")


def load_california(directory: str | Path) -> dict[str, RawTable]:
    """California housing with the rtdl split (``N_{train,val,test}.npy``, ``y_*.npy``, ``info.json``).

    Labels are median house values in units of $100k; RMSE is reported in those units.
    """
    directory = Path(directory)
    info_path = directory / "info.json"
    names = None
    if info_path.is_file():
        try:
            names = json.loads(info_path.read_text())["N_cols"]
        except (ValueError, KeyError) as exc:
            raise DataError(info_path, "N_cols", f"unreadable feature names: {exc}") from exc
    return {
        split: load_arrays(
            directory / f"N_{split}.npy", directory / f"y_{split}.npy", names=names, target=CALIFORNIA_TARGET
        )
        for split in ("train", "val", "test")
    }


def split_rows(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded random split of ``range(n)`` into ``(kept, held_out)`` with ``round(n * fraction)`` held out."""
    perm = np.random.default_rng(seed).permutation(n)
    n_out = int(round(n * fraction))
    return np.sort(perm[n_out:]), np.sort(perm[:n_out])


def write_adult_subset(path: str | Path, rows: int = 200, stride: int = 163) -> Path:
    """A small real table: every ``stride``-th row of the embedded ``adult.data`` (the first ``rows``),
    as a CSV with a header (6 numeric, 8 categorical columns and the string label ``income``).

    The small-data checks (``bench/tabular_small.py``, the small-table tests) pretrain on it.
    """
    import gzip

    source = resources.files("ssl_plugin_tabular") / "data_files" / "adult.data.gz"
    lines = [line for line in gzip.decompress(source.read_bytes()).decode().splitlines() if line.strip()]
    body = [",".join(cell.strip() for cell in line.split(",")) for line in lines[::stride][:rows]]
    path = Path(path)
    path.write_text(",".join(ADULT_COLUMNS) + "\n" + "\n".join(body) + "\n")
    return path
