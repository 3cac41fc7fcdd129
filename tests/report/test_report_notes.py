"""The report's comparison footnotes: rows with the same details share one note, as in the terminal."""

from __future__ import annotations

import numpy as np

from ssl_core.evaluation import ComparisonRow
from ssl_core.evaluation.table import footnotes, shared_notes
from ssl_core.report.sections import comparison_section


def _rows() -> list[ComparisonRow]:
    rng = np.random.default_rng(0)
    a, b = rng.normal(1.0, 0.1, 40), rng.normal(0.9, 0.1, 40)
    same = {"baseline": "raw", "split": "test"}
    return [
        ComparisonRow.from_items("t1", "acc", a, b, extra=dict(same)),
        ComparisonRow.from_items("t2", "acc", a, b, extra=dict(same)),
        ComparisonRow.from_items("t3", "acc", a, b, extra={"baseline": "raw", "split": "val"}),
        ComparisonRow.from_items("t4", "acc", a, b, extra=dict(same)),
    ]


def test_shared_notes_label_rows_by_number_ranges():
    assert shared_notes(["x", "x", "y", "x", "x"]) == [("1-2, 4-5", "x"), ("3", "y")]
    assert footnotes(["x", "x"], 100) == ["[1-2] x"]


def test_report_footnotes_are_shared_like_the_terminal():
    html = comparison_section({"written": "now"}, _rows())
    notes = html.split('<ol class="notes">', 1)[1]
    assert notes.count("<li>") == 2
    assert "<li>[1-2, 4] " in notes and "<li>[3] " in notes and "split=val" in notes
