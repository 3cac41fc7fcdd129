"""The sections of ``report.html``, each an HTML fragment built from one file of the run directory.

* :func:`summary_section` — recipe, step, seed, device, threads, run dates (``config.yaml``,
  ``environment.json``, ``metrics.jsonl``);
* :func:`alarms_section` — the collapse / stall alarms and non-finite steps of ``metrics.jsonl``;
* :func:`comparison_section` — the rows of ``evaluation.json`` with intervals and verdicts;
* :func:`curves_section` — loss, schedule, monitor and throughput curves (inline SVG);
* :func:`config_section`, :func:`environment_section` — the resolved config and the environment.

Every value from a file is escaped (:func:`html.escape`); nothing is fetched at view time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from ssl_core.evaluation.report import ComparisonRow
from ssl_core.report.svg import line_chart

__all__ = [
    "CURVES",
    "alarm_spans",
    "alarms_section",
    "comparison_section",
    "config_section",
    "curves_section",
    "environment_section",
    "summary_section",
]

CURVES: dict[str, tuple[str, ...]] = {
    "Loss": ("loss",),
    "Learning rate": ("lr",),
    "Weight decay and EMA momentum": ("wd", "ema_momentum"),
    "RankMe (effective rank)": ("monitor/rankme",),
    "Monitors": ("monitor/", "probe/"),
    "Throughput (samples/s)": ("samples_per_s",),
}
"""Chart title -> metric keys (a key ending in ``/`` takes every key under it not charted before)."""
VERDICT_CLASS = {"better": "better", "worse": "worse", "no clear difference": "same"}


def _kv_table(items: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in items)
    return f'<table class="kv">{rows}</table>'


def summary_section(config: dict[str, Any], env: dict[str, Any], rows: list[dict[str, float]]) -> str:
    """The run at a glance."""
    train = config.get("train", {}) if isinstance(config.get("train"), dict) else {}
    last = rows[-1] if rows else {}
    items = [
        ("recipe", config.get("recipe", "?")),
        ("last logged step", int(last["step"]) if "step" in last else "-"),
        ("final loss", f"{last['loss']:.4g}" if "loss" in last else "-"),
        ("global batch", train.get("batch_size", "-")),
        ("seed", train.get("seed", "-")),
        ("device", env.get("device", train.get("device", "-"))),
        ("threads", env.get("num_threads", "-")),
        ("started", env.get("started", "-")),
        ("ssl-core", env.get("ssl_core", "-")),
    ]
    return _kv_table(items)


def alarm_spans(rows: list[dict[str, float]], key: str) -> list[tuple[int, int]]:
    """The ``(first, last)`` logged steps of each stretch where ``key`` (an alarm flag) was 1."""
    spans: list[tuple[int, int]] = []
    start = prev = None
    for row in rows:
        if key not in row:
            continue
        step, on = int(row["step"]), row[key] >= 0.5
        if on and start is None:
            start = step
        if not on and start is not None:
            spans.append((start, prev if prev is not None else start))
            start = None
        prev = step
    if start is not None:
        spans.append((start, prev if prev is not None else start))
    return spans


def alarms_section(run_dir: Path, rows: list[dict[str, float]]) -> str:
    """Alarm stretches, the collapse note ``evaluate`` shows, and skipped non-finite steps."""
    from ssl_core.monitors.alarms import ADVICE, collapse_note

    items = []
    for kind in ("collapse", "stalled"):
        for first, last in alarm_spans(rows, f"alarm/{kind}"):
            items.append(f"<li><b>{kind}</b> from step {first} to step {last}: {escape(ADVICE[kind])}</li>")
    note = collapse_note(Path(run_dir))
    if note:
        items.append(f"<li><b>at the end of training</b>: {escape(note)}</li>")
    skipped = max((r.get("nonfinite_skipped", 0.0) for r in rows), default=0.0)
    if skipped:
        items.append(f"<li><b>non-finite steps skipped</b>: {int(skipped)}</li>")
    if not items:
        return '<p class="ok">No alarm: no collapse or stall was detected, no step was skipped.</p>'
    return f'<ul class="alarms">{"".join(items)}</ul>'


def _row_cells(k: int, row: ComparisonRow) -> str:
    from ssl_core.evaluation.table import diff_cell

    ssl, base = f"{row.ssl[0]:.4g}", f"{row.baseline[0]:.4g}"
    arrow = "↑" if row.higher_is_better else "↓"
    cells = [
        str(k),
        row.task,
        f"{row.metric} {arrow}",
        ssl,
        base,
        diff_cell(row),
        "-" if row.n is None else str(row.n),
    ]
    tds = "".join(f"<td>{escape(c)}</td>" for c in cells)
    verdict = f'<td class="{VERDICT_CLASS[row.verdict]}">{escape(row.verdict)}</td>'
    return f"<tr>{tds}{verdict}</tr>"


def _by_baseline(rows: list[ComparisonRow]) -> dict[str, list[ComparisonRow]]:
    """Rows under ``[<domain>: ]vs <baseline>`` headings, in first-appearance order."""
    groups: dict[str, list[ComparisonRow]] = {}
    for row in rows:
        domain = f"{row.extra['domain']}: " if "domain" in row.extra else ""
        groups.setdefault(f"{domain}vs {row.extra.get('baseline', '(baseline not named)')}", []).append(row)
    return groups


def comparison_section(header: dict[str, Any] | None, rows: list[ComparisonRow]) -> str:
    """The comparison table grouped by baseline; rows with the same details share one footnote
    (``[7-12, 16] ...``, as the terminal shows)."""
    from ssl_core.evaluation.table import HEADER, footnote, shared_notes

    if header is None:
        return (
            "<p>Not evaluated yet: <code>ssl eval RUN_DIR</code> (or the plugin's <code>evaluate</code>) "
            "writes <code>evaluation.json</code>, and the report shows it when written again.</p>"
        )
    if not rows:
        return "<p>The evaluation produced no comparison rows.</p>"
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body, notes, k = [], [], 0
    for heading, group in _by_baseline(rows).items():
        body.append(f'<tr class="group"><td colspan="{len(HEADER)}">{escape(heading)}</td></tr>')
        for row in group:
            k += 1
            body.append(_row_cells(k, row))
            notes.append(footnote(row, False))
    when = escape(str(header.get("written", "?")))
    quick = " (quick evaluation)" if header.get("quick") else ""
    return (
        f'<p class="meta">evaluated {when}{quick}; diff = ssl - baseline with its 95% interval; '
        "the verdict is better / worse only when the interval excludes 0.</p>"
        f'<table class="cmp"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        f'<ol class="notes">{"".join(f"<li>[{a}] {escape(b)}</li>" for a, b in shared_notes(notes))}</ol>'
    )


def _series(rows: list[dict[str, float]], patterns: tuple[str, ...], taken: set[str]) -> dict[str, Any]:
    keys = sorted({k for r in rows for k in r if k != "step"})
    chosen = [
        k
        for k in keys
        if k not in taken and any(k == p or (p.endswith("/") and k.startswith(p)) for p in patterns)
    ]
    chosen = [k for k in chosen if not k.startswith("alarm/")]
    taken.update(chosen)
    return {k: ([r["step"] for r in rows if k in r], [r[k] for r in rows if k in r]) for k in chosen}


def curves_section(rows: list[dict[str, float]], baselines: dict[str, list[dict[str, float]]]) -> str:
    """One SVG chart per :data:`CURVES` group that has data; baseline runs' losses join the loss chart."""
    if not rows:
        return "<p>No metric rows in metrics.jsonl.</p>"
    taken: set[str] = set()
    charts = []
    for title, patterns in CURVES.items():
        series = _series(rows, patterns, taken)
        if title == "Loss":
            for name, base_rows in baselines.items():
                steps = [r["step"] for r in base_rows if "loss" in r]
                series[f"loss ({name} run)"] = (steps, [r["loss"] for r in base_rows if "loss" in r])
        chart = line_chart(title, series)
        if chart:
            charts.append(f'<div class="fig">{chart}</div>')
    return '<div class="grid">' + "".join(charts) + "</div>"


def config_section(text: str) -> str:
    """``config.yaml`` as preformatted, escaped text."""
    return f"<pre>{escape(text)}</pre>" if text else "<p>config.yaml not found.</p>"


def environment_section(env: dict[str, Any]) -> str:
    """``environment.json``: the scalar fields as a table, plugins and provenance as lists."""
    if not env:
        return "<p>environment.json not found.</p>"
    scalars = [(k, v) for k, v in env.items() if not isinstance(v, dict | list)]
    plugins = env.get("plugins") or []
    items = "".join(
        f"<li>{escape(str(p.get('name')))}: {escape(str(p.get('distribution')))} {escape(str(p.get('version')))}</li>"
        for p in plugins
        if isinstance(p, dict)
    )
    prov = json.dumps(env.get("provenance", {}), indent=2, sort_keys=True)
    return (
        _kv_table(scalars)
        + (f"<h3>Plugins</h3><ul>{items}</ul>" if items else "")
        + f"<h3>Provenance</h3><pre>{escape(prov)}</pre>"
    )
