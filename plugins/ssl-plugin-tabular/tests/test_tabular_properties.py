"""Property tests (hypothesis) of the CSV reader: any file reads or is a ``DataError``; tables round-trip."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ssl_plugin_tabular.readers import read_csv
from ssl_plugin_tabular.schema import MISSING_TOKENS

from ssl_core.errors import DataError

SETTINGS = settings(max_examples=60, deadline=None, database=None)  # nothing written in the tree
CELL = st.text(
    alphabet=st.characters(blacklist_characters=',\n\r"', blacklist_categories=("Cs",)), max_size=6
)


def _read(content: bytes):  # noqa: ANN202 - RawTable
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(content)
        return read_csv(path)


def _is_infinite(cell: str) -> bool:
    """A number that parses to +-infinity (what the reader refuses)."""
    try:
        return math.isinf(float(cell))
    except ValueError:
        return False


def _value(cell: str) -> str | None:
    """The cell as the reader keeps it: stripped, ``None`` for a missing-value token."""
    return None if cell.strip().lower() in MISSING_TOKENS else cell.strip()


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_read_or_are_a_data_error(content: bytes) -> None:
    try:
        table = _read(content)
    except DataError as exc:
        assert "t.csv" in str(exc)  # the message names the file
        return
    lengths = {len(col) for col in table.columns.values()}
    assert len(lengths) == 1 and table.lines is not None and len(table.lines) == lengths.pop()


@SETTINGS
@given(
    st.integers(1, 4).flatmap(
        lambda width: st.lists(
            st.lists(
                st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=width, max_size=width
            ),
            min_size=1,
            max_size=8,
        )
    )
)
def test_numeric_tables_round_trip(rows: list[list[float]]) -> None:
    names = [f"c{i}" for i in range(len(rows[0]))]
    text = ",".join(names) + "\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in rows)
    table = _read(text.encode())
    assert list(table.columns) == names
    got = np.array([[float(table.columns[n][i]) for n in names] for i in range(len(rows))])
    assert np.array_equal(got, np.array(rows))  # repr round-trips every float64 exactly
    assert list(table.lines) == list(range(2, len(rows) + 2))  # 1-based file lines, header is line 1


@SETTINGS
@given(st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=1, max_size=6))
@example([["", "", "INF"]])  # found by CI: an infinite number among text cells is refused
def test_text_cells_round_trip_with_blanks_as_missing(rows: list[list[str]]) -> None:
    text = "a,b,c\n" + "".join(",".join(row) + "\n" for row in rows)
    kept = [row for row in rows if any(cell.strip() for cell in row)]  # a row of blank cells is a blank line
    try:
        table = _read(text.encode())
    except DataError as exc:
        infinite = [cell for row in kept for cell in row if _is_infinite(cell.strip())]
        if infinite:  # 'inf', '-Infinity', '1e999' are refused by design (only finite numbers)
            assert "infinite value" in str(exc), exc
        else:
            assert not kept and "no data rows" in str(exc)
        return
    for j, name in enumerate("abc"):
        expected = [_value(row[j]) for row in kept]
        assert [None if c is None else _value(str(c)) for c in table.columns[name]] == expected
