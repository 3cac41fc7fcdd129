"""Comparison tables: SSL representation vs a baseline, as mean +- std over seeds.

Used by ``ssl demo`` (every plugin's demo returns a :class:`DemoResult`) and by ``bench/`` scripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class ComparisonRow:
    """One task / metric compared between an SSL representation and a baseline.

    Attributes:
        task: what is evaluated (``"time-of-day"``, ``"speaker-id"`` ...).
        metric: metric name (``"acc"``, ``"rmse"`` ...).
        ssl: ``(mean, std)`` of the SSL model over seeds.
        baseline: ``(mean, std)`` of the baseline (random init, raw features, scratch ...).
        higher_is_better: direction of the metric.
        extra: free-form details shown after the table (baseline name, seeds, sizes ...).
    """

    task: str
    metric: str
    ssl: tuple[float, float]
    baseline: tuple[float, float]
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def delta(self) -> float:
        """``ssl - baseline`` of the means (sign follows the metric, not the direction)."""
        return float(self.ssl[0] - self.baseline[0])

    @property
    def ssl_wins(self) -> bool:
        """Whether the SSL mean is better than the baseline mean."""
        return self.delta > 0 if self.higher_is_better else self.delta < 0


@dataclass
class DemoResult:
    """What a plugin demo returns: its comparison rows and the run directory it trained in."""

    domain: str
    rows: list[ComparisonRow]
    run_dir: Path

    def format(self) -> str:
        """The rows as a text table, titled with the domain and run directory."""
        return f"{self.domain} demo ({self.run_dir})\n{format_comparison(self.rows)}"


def _pm(value: tuple[float, float]) -> str:
    return f"{value[0]:.4f} +- {value[1]:.4f}"


def format_comparison(rows: Sequence[ComparisonRow]) -> str:
    """Render rows as an aligned plain-text (markdown-compatible) table.

    Columns: task, metric (with an arrow giving the better direction), ssl, baseline, delta and
    whether SSL wins; any ``extra`` entries follow as ``key=value`` in a last column.
    """
    header = ["task", "metric", "ssl", "baseline", "delta", "ssl better", "extra"]
    body = [
        [
            r.task,
            f"{r.metric} ({'higher' if r.higher_is_better else 'lower'} is better)",
            _pm(r.ssl),
            _pm(r.baseline),
            f"{r.delta:+.4f}",
            "yes" if r.ssl_wins else "no",
            ", ".join(f"{k}={v}" for k, v in r.extra.items()),
        ]
        for r in rows
    ]
    widths = [max(len(str(line[i])) for line in [header, *body]) for i in range(len(header))]

    def fmt(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([fmt(header), sep, *(fmt(line) for line in body)])
