"""Comparison rows: an SSL representation against a baseline, with n, a paired 95% interval and a verdict.

Every plugin's ``evaluate`` returns :class:`ComparisonRow` objects; ``ssl eval``, ``ssl-<domain>
evaluate`` and ``ssl demo`` print them with :func:`format_comparison`. Build rows from PAIRED values:

* :meth:`ComparisonRow.from_seeds` — one value per seed for the SSL model and for the baseline
  (the same seeds): a paired t-interval of the per-seed differences;
* :meth:`ComparisonRow.from_items` — one score (or error) per test item for both (the same items):
  a seeded paired percentile bootstrap of ``reduce(ssl) - reduce(baseline)``.

The verdict (:attr:`ComparisonRow.verdict`) is ``"better"`` / ``"worse"`` when the 95% interval of the
difference excludes 0 (oriented by ``higher_is_better``) and ``"no clear difference"`` otherwise,
never the sign of the means alone. The plain constructor (``(mean, std)`` pairs, no interval) still
works; such rows have no interval and read ``"no clear difference"``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ssl_core.evaluation.intervals import Reduce, mean_reduce, paired_bootstrap_interval, paired_t_interval

Verdict = Literal["better", "worse", "no clear difference"]
BOOTSTRAP_RESAMPLES = 2000
"""Resamples of :meth:`ComparisonRow.from_items` unless given."""


@dataclass
class ComparisonRow:
    """One task / metric compared between an SSL representation and a baseline.

    Attributes:
        task: what is evaluated (``"time-of-day"``, ``"speaker-id"`` ...).
        metric: metric name (``"acc"``, ``"rmse"`` ...).
        ssl: ``(value, spread)`` of the SSL model: mean and sample std over seeds, or (from
            items) the metric on all items and 0.0 (the uncertainty is in ``diff_ci``).
        baseline: the same for the baseline (random init, raw features, scratch ...).
        higher_is_better: direction of the metric.
        extra: free-form details shown under the table (``extra["baseline"]`` names the baseline).
        n: number of paired units behind the interval (seeds or test items); None when unknown.
        unit: what ``n`` counts: ``"seeds"`` or ``"items"`` (or a plugin's word: ``"windows"`` ...).
        diff_ci: 95% interval ``(low, high)`` of ``ssl - baseline``; None without one.
        method: how ``diff_ci`` was computed (``"paired t"``, ``"paired bootstrap"``).
    """

    task: str
    metric: str
    ssl: tuple[float, float]
    baseline: tuple[float, float]
    higher_is_better: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    n: int | None = None
    unit: str = ""
    diff_ci: tuple[float, float] | None = None
    method: str = ""

    @classmethod
    def from_seeds(
        cls,
        task: str,
        metric: str,
        ssl_values: Sequence[float],
        baseline_values: Sequence[float],
        *,
        higher_is_better: bool = True,
        extra: dict[str, Any] | None = None,
        unit: str = "seeds",
    ) -> ComparisonRow:
        """A row from paired per-seed values (``ssl_values[i]`` and ``baseline_values[i]`` share seed i).

        Two or more seeds give the paired t-interval of the differences; one seed gives no interval
        (verdict ``"no clear difference"``).

        Raises:
            ValueError: the two sequences are empty or differ in length.
        """
        a, b = np.asarray(ssl_values, dtype=np.float64), np.asarray(baseline_values, dtype=np.float64)
        if a.ndim != 1 or a.shape != b.shape or len(a) == 0:
            raise ValueError(f"from_seeds needs paired non-empty values, got {a.shape} and {b.shape}")
        sd = lambda v: float(v.std(ddof=1)) if len(v) > 1 else 0.0  # noqa: E731
        ci = paired_t_interval(a, b)[1:] if len(a) > 1 else None
        return cls(task, metric, (float(a.mean()), sd(a)), (float(b.mean()), sd(b)), higher_is_better,
                   dict(extra or {}), len(a), unit, ci, "paired t" if ci else "")  # fmt: skip

    @classmethod
    def from_items(
        cls,
        task: str,
        metric: str,
        ssl_item_scores: Any,
        baseline_item_scores: Any,
        *,
        reduce: Reduce = mean_reduce,
        higher_is_better: bool = True,
        extra: dict[str, Any] | None = None,
        unit: str = "items",
        resamples: int = BOOTSTRAP_RESAMPLES,
        seed: int = 0,
        block: int = 1,
    ) -> ComparisonRow:
        """A row from per-item scores or errors of both models on the same test items.

        ``reduce`` turns the item scores (items along axis 0) into the metric: the mean by default,
        :func:`~ssl_core.evaluation.intervals.root_mean_reduce` for an RMSE of squared errors,
        :func:`~ssl_core.evaluation.intervals.ratio_reduce` for pooled ``(sum, count)`` items.
        The interval is :func:`~ssl_core.evaluation.intervals.paired_bootstrap_interval` (``block``
        consecutive items per draw for serially dependent items, e.g. overlapping windows).

        Raises:
            ValueError: the item counts differ or there are fewer than 2 items.
        """
        a, b = (
            np.asarray(ssl_item_scores, dtype=np.float64),
            np.asarray(baseline_item_scores, dtype=np.float64),
        )
        _, low, high, _ = paired_bootstrap_interval(
            a, b, reduce=reduce, resamples=resamples, seed=seed, block=block
        )
        method = "paired bootstrap" if block == 1 else f"paired block bootstrap ({block} per block)"
        return cls(task, metric, (reduce(a), 0.0), (reduce(b), 0.0), higher_is_better,
                   dict(extra or {}), len(a), unit, (low, high), method)  # fmt: skip

    @property
    def delta(self) -> float:
        """``ssl - baseline`` of the means (sign follows the metric, not the direction)."""
        return float(self.ssl[0] - self.baseline[0])

    @property
    def verdict(self) -> Verdict:
        """``"better"`` / ``"worse"`` when the 95% interval of the difference excludes 0, else no clear difference."""
        if self.diff_ci is None:
            return "no clear difference"
        low, high = self.diff_ci
        if low > 0 or high < 0:
            return "better" if (low > 0) == self.higher_is_better else "worse"
        return "no clear difference"

    @property
    def ssl_wins(self) -> bool:
        """Whether the verdict is ``"better"`` (the interval of the difference excludes 0 in SSL's favour)."""
        return self.verdict == "better"


@dataclass
class DemoResult:
    """What a plugin demo returns: its comparison rows and the run directory it trained in."""

    domain: str
    rows: list[ComparisonRow]
    run_dir: Path

    def format(self) -> str:
        """The rows as a text table, titled with the domain and run directory."""
        return f"{self.domain} demo ({self.run_dir})\n{format_comparison(self.rows)}"


def format_comparison(rows: Sequence[ComparisonRow], width: int = 100) -> str:
    """The rows as a table of at most ``width`` columns with numbered footnotes (see :mod:`.table`)."""
    from ssl_core.evaluation.table import render_table

    return render_table(rows, width)
