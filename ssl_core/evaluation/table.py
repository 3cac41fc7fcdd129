"""The terminal table of comparison rows: at most 100 columns, details in numbered footnotes.

Rows are grouped by baseline under ``vs <baseline>:`` headings in first-appearance order
(``<domain>: vs <baseline>:`` when ``extra["domain"]`` is set, as ``ssl demo`` does). Columns:
``#``, task, metric (``↑`` higher / ``↓`` lower is better), ssl, base(line), ``diff [95% CI]``
(``ssl - baseline``), n and the verdict. Under the table, footnote ``[k]`` of row ``k`` says how its
interval was computed and lists the row's ``extra`` details (and the full task name when the column
had to cut it); rows with the same details share one footnote (``[7-12, 16] ...``).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

from ssl_core.evaluation.report import ComparisonRow

HEADER = ("#", "task", "metric", "ssl", "base", "diff [95% CI]", "n", "verdict")
RIGHT = {0, 3, 4, 6}
"""Right-aligned columns (numbers)."""
SEP = "  "
MIN_TASK = 12
HEADING_KEYS = ("baseline", "domain")
"""``extra`` keys shown in the group headings (``ssl demo`` sets ``domain``), not in the footnotes."""


def _num(x: float) -> str:
    return f"{x:.4g}"


def _decimals(half_width: float) -> int:
    """Decimals showing the interval's half-width to two significant digits (1 to 3)."""
    if not half_width > 0 or not math.isfinite(half_width):
        return 3
    return min(3, max(1, 1 - math.floor(math.log10(half_width))))


def diff_cell(row: ComparisonRow) -> str:
    """``+0.031 [+0.004, +0.058]``; ``+0.031 (no CI)`` for a row without an interval."""
    if row.diff_ci is None:
        return f"{row.delta:+.4g} (no CI)"
    low, high = row.diff_ci
    d = _decimals((high - low) / 2)
    return f"{row.delta:+.{d}f} [{low:+.{d}f}, {high:+.{d}f}]"


def _values(row: ComparisonRow) -> tuple[str, str]:
    """SSL and baseline values, at the interval's decimals (4 significant digits without one)."""
    if row.diff_ci is None:
        return _num(row.ssl[0]), _num(row.baseline[0])
    d = _decimals((row.diff_ci[1] - row.diff_ci[0]) / 2)
    return f"{row.ssl[0]:.{d}f}", f"{row.baseline[0]:.{d}f}"


def _cells(k: int, row: ComparisonRow) -> list[str]:
    arrow = "↑" if row.higher_is_better else "↓"
    n = "-" if row.n is None else str(row.n)
    return [str(k), row.task, f"{row.metric} {arrow}", *_values(row), diff_cell(row), n, row.verdict]


def _value(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, tuple | list) and all(isinstance(x, float) for x in v):
        return "(" + ", ".join(f"{x:.4g}" for x in v) + ")"
    return str(v)


def footnote(row: ComparisonRow, task_cut: bool) -> str:
    """``<interval method>; <extra key=value ...>`` (baseline and domain are in the group heading)."""
    parts = [f"task: {row.task}"] if task_cut else []
    if row.diff_ci is not None:
        parts.append(f"{row.method} over {row.n} {row.unit}".strip())
    elif row.n == 1:
        parts.append(f"one {row.unit.rstrip('s') or 'value'}: no interval")
    else:
        parts.append("no interval given")
    parts += [f"{k2}={_value(v)}" for k2, v in row.extra.items() if k2 not in HEADING_KEYS]
    return "; ".join(parts)


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``1-3, 5``."""
    spans: list[list[int]] = []
    for k in numbers:
        if spans and k == spans[-1][1] + 1:
            spans[-1][1] = k
        else:
            spans.append([k, k])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in spans)


def shared_notes(notes: Sequence[str]) -> list[tuple[str, str]]:
    """``(label, note)`` per distinct note of rows 1..n, in first-appearance order: rows with the same
    note share it, labelled by their numbers (``"7-12, 16"``); the terminal table and the report use it."""
    by_text: dict[str, list[int]] = {}
    for k, note in enumerate(notes, 1):
        by_text.setdefault(note, []).append(k)
    return [(_ranges(numbers), note) for note, numbers in by_text.items()]


def footnotes(notes: Sequence[str], width: int) -> list[str]:
    """``[k] note`` lines; rows with the same note share one (``[7-12, 16] ...``), wrapped at ``width``."""
    lines = []
    for label, note in shared_notes(notes):
        lines += textwrap.wrap(f"[{label}] {note}", width, subsequent_indent=" " * 4)
    return lines


def _groups(rows: Sequence[ComparisonRow]) -> dict[str, list[ComparisonRow]]:
    """Rows by heading ``[<domain>: ]vs <baseline>:``, in first-appearance order."""
    groups: dict[str, list[ComparisonRow]] = {}
    for row in rows:
        domain = f"{row.extra['domain']}: " if "domain" in row.extra else ""
        heading = f"{domain}vs {row.extra.get('baseline', '(baseline not named)')}:"
        groups.setdefault(heading, []).append(row)
    return groups


def _cut(text: str, width: int) -> str:
    """``text`` within ``width``: cut with ``…``, keeping the last word when it is short (``high``)."""
    if len(text) <= width:
        return text
    tail = text.rsplit(" ", 1)[-1] if " " in text else ""
    if tail and len(tail) <= width // 3:
        return text[: width - len(tail) - 1].rstrip() + "…" + tail
    return text[: width - 1] + "…"


def render_table(rows: Sequence[ComparisonRow], width: int = 100) -> str:
    """The table of ``rows`` grouped by baseline, then one footnote per row (wrapped at ``width``)."""
    groups = _groups(rows)
    ordered = [row for group in groups.values() for row in group]
    body = [_cells(k, row) for k, row in enumerate(ordered, 1)]
    widths = [max(len(line[i]) for line in [list(HEADER), *body]) for i in range(len(HEADER))]
    rest = sum(widths) - widths[1] + len(SEP) * (len(HEADER) - 1)
    widths[1] = max(MIN_TASK, min(widths[1], width - rest))
    cut = [len(line[1]) > widths[1] for line in body]

    def fmt(cells: Sequence[str]) -> str:
        out = [_cut(c, w).rjust(w) if i in RIGHT else _cut(c, w).ljust(w)
               for i, (c, w) in enumerate(zip(cells, widths))]  # fmt: skip
        return SEP.join(out).rstrip()

    lines, k = [fmt(HEADER)], 0
    for heading, group in groups.items():
        lines.append(_cut(heading, width))
        for _ in group:
            lines.append(fmt(body[k]))
            k += 1
    lines.append("")
    lines += footnotes([footnote(row, cut[k]) for k, row in enumerate(ordered)], width)
    return "\n".join(lines)
