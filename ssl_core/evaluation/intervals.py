"""95% intervals of a paired difference: a t-interval over seeds, a percentile bootstrap over items.

Both compare the SSL model with a baseline on the SAME units (the same seeds or the same test
items), so the interval is that of the paired difference ``ssl - baseline``:

* :func:`paired_t_interval` — several evaluation / pretraining seeds: mean of the per-seed
  differences ``+- t_{1-a/2, n-1} * sd / sqrt(n)`` (Student's t, sample sd with ddof 1);
* :func:`paired_bootstrap_interval` — one seed, many test items: the items are resampled with
  replacement (the same resample for both models), the statistic ``reduce`` is recomputed on each
  resample and the interval is the percentile interval of the resampled differences (Efron &
  Tibshirani 1993, ch. 13); serially dependent items (overlapping windows) are resampled in
  moving blocks. Seeded: the same call gives the same interval.

No scipy: the t quantile inverts Student's CDF, which has a closed form for integer degrees of
freedom (Abramowitz & Stegun 26.7.3 / 26.7.4), by bisection.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

Reduce = Callable[[np.ndarray], float]
"""A statistic of the item scores: ``(n, ...)`` array (items along axis 0) -> one number."""


def mean_reduce(items: np.ndarray) -> float:
    """The mean over items (accuracy of 0/1 correctness, MAE of absolute errors ...)."""
    return float(np.mean(items))


def ratio_reduce(items: np.ndarray) -> float:
    """``sum(items[:, 0]) / sum(items[:, 1])``: a pooled mean of per-item ``(sum, count)`` pairs.

    E.g. a masked MAE over windows: each window contributes its summed absolute error and its
    number of valid entries, so windows with more valid entries weigh more, as in the full metric.
    """
    return float(items[:, 0].sum() / max(float(items[:, 1].sum()), 1e-12))


def root_ratio_reduce(items: np.ndarray) -> float:
    """``sqrt(ratio_reduce(items))``: an RMSE from per-item ``(sum of squared errors, count)``."""
    return math.sqrt(max(ratio_reduce(items), 0.0))


def root_mean_reduce(items: np.ndarray) -> float:
    """``sqrt(mean(items))``: an RMSE from per-item squared errors."""
    return math.sqrt(max(float(np.mean(items)), 0.0))


def _t_two_sided(t: float, df: int) -> float:
    """``P(|T| <= t)`` for Student's t with integer ``df`` (A&S 26.7.3 odd df, 26.7.4 even df)."""
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for k in range(2, df - 1, 2):  # 1 + 1/2 c^2 + (1*3)/(2*4) c^4 + ... up to c^(df-2)
            term *= c2 * (k - 1) / k
            total += term
        return s * total
    if df == 1:
        return 2.0 * theta / math.pi
    term, total = math.cos(theta), math.cos(theta)
    for k in range(3, df - 1, 2):  # cos + 2/3 cos^3 + (2*4)/(1*3*5)... up to cos^(df-2)
        term *= c2 * (k - 1) / k
        total += term
    return 2.0 / math.pi * (theta + s * total)


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile (``0.5 <= p < 1``) of Student's t with ``df >= 1`` integer degrees of freedom."""
    if not 0.5 <= p < 1.0 or df < 1:
        raise ValueError(f"t_quantile needs 0.5 <= p < 1 and df >= 1, got p={p}, df={df}")
    target = 2.0 * p - 1.0  # P(|T| <= t)
    lo, hi = 0.0, 1.0
    while _t_two_sided(hi, df) < target:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _t_two_sided(mid, df) < target else (lo, mid)
        if hi - lo <= 1e-13 * max(1.0, hi):
            break
    return 0.5 * (lo + hi)


def paired_t_interval(
    ssl: np.ndarray | list[float], baseline: np.ndarray | list[float], level: float = 0.95
) -> tuple[float, float, float]:
    """``(mean difference, low, high)`` of ``ssl - baseline`` over paired seeds (t-interval).

    Raises:
        ValueError: the two sequences differ in length or hold fewer than 2 pairs.
    """
    d = np.asarray(ssl, dtype=np.float64) - np.asarray(baseline, dtype=np.float64)
    if d.ndim != 1 or len(d) < 2:
        raise ValueError(f"paired_t_interval needs >= 2 paired values, got shape {d.shape}")
    mean = float(d.mean())
    half = t_quantile(0.5 + level / 2, len(d) - 1) * float(d.std(ddof=1)) / math.sqrt(len(d))
    return mean, mean - half, mean + half


def paired_bootstrap_interval(
    ssl: np.ndarray,
    baseline: np.ndarray,
    *,
    reduce: Reduce = mean_reduce,
    resamples: int = 2000,
    seed: int = 0,
    level: float = 0.95,
    block: int = 1,
) -> tuple[float, float, float, np.ndarray]:
    """``(difference, low, high, resampled differences)`` of ``reduce(ssl) - reduce(baseline)``.

    ``ssl`` and ``baseline`` hold one entry per test item along axis 0 (the same items, in the same
    order). Resample ``b`` draws ``numpy.random.default_rng(seed).integers(0, n, n)`` (one draw per
    resample, in order) and applies it to both; the interval is the ``(1 - level) / 2`` and
    ``(1 + level) / 2`` percentiles (numpy's linear interpolation) of the resampled differences.

    ``block > 1``: a moving-block bootstrap (Kuensch 1989) for items that are serially dependent
    (overlapping forecast windows): each resample draws ``ceil(n / block)`` block starts
    ``integers(0, n - block + 1, ceil(n / block))`` and takes ``block`` consecutive items from each,
    cut to ``n``.

    Raises:
        ValueError: the item counts differ, there are fewer than 2 items, or ``block`` exceeds them.
    """
    a, b = np.asarray(ssl, dtype=np.float64), np.asarray(baseline, dtype=np.float64)
    n = len(a)
    if len(b) != n or n < 2 or not 1 <= block <= n:
        raise ValueError(
            f"paired bootstrap needs >= 2 paired items and 1 <= block <= n, got {n}, {len(b)}, {block}"
        )
    rng = np.random.default_rng(seed)
    diffs = np.empty(resamples)
    offsets, blocks = np.arange(block), -(-n // block)
    for i in range(resamples):
        if block == 1:
            idx = rng.integers(0, n, n)
        else:
            idx = (rng.integers(0, n - block + 1, blocks)[:, None] + offsets).ravel()[:n]
        diffs[i] = reduce(a[idx]) - reduce(b[idx])
    low, high = np.percentile(diffs, [50 * (1 - level), 50 * (1 + level)])
    return reduce(a) - reduce(b), float(low), float(high), diffs
