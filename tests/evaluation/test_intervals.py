import math

import numpy as np
import pytest
from scipy import stats

from ssl_core.evaluation.intervals import (
    paired_bootstrap_interval,
    paired_t_interval,
    ratio_reduce,
    root_mean_reduce,
    root_ratio_reduce,
    t_quantile,
)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 5, 8, 29, 100])
@pytest.mark.parametrize("p", [0.9, 0.975, 0.995])
def test_t_quantile_matches_scipy(df, p):
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-10)


def test_t_quantile_rejects_bad_arguments():
    with pytest.raises(ValueError):
        t_quantile(0.3, 3)
    with pytest.raises(ValueError):
        t_quantile(0.975, 0)


def test_paired_t_interval_is_the_closed_form():
    ssl, base = [0.81, 0.84, 0.80, 0.83], [0.80, 0.80, 0.79, 0.78]
    d = np.array(ssl) - np.array(base)
    half = stats.t.ppf(0.975, len(d) - 1) * d.std(ddof=1) / math.sqrt(len(d))
    mean, low, high = paired_t_interval(ssl, base)
    assert mean == pytest.approx(d.mean()) and low == pytest.approx(d.mean() - half)
    assert high == pytest.approx(d.mean() + half)
    # scipy's own interval of the paired differences
    ref = stats.t.interval(0.95, len(d) - 1, loc=d.mean(), scale=stats.sem(d))
    assert (low, high) == pytest.approx(ref)
    with pytest.raises(ValueError):
        paired_t_interval([1.0], [0.0])


def _naive_bootstrap(a, b, stat, resamples, seed):
    rng = np.random.default_rng(seed)
    diffs = []
    for _ in range(resamples):
        idx = [int(i) for i in rng.integers(0, len(a), len(a))]
        diffs.append(stat([a[i] for i in idx]) - stat([b[i] for i in idx]))
    diffs.sort()

    def percentile(q):  # numpy's default "linear" definition, by hand
        pos = q / 100 * (len(diffs) - 1)
        lo = math.floor(pos)
        return diffs[lo] + (pos - lo) * (diffs[min(lo + 1, len(diffs) - 1)] - diffs[lo])

    return percentile(2.5), percentile(97.5)


def test_paired_bootstrap_matches_a_naive_loop():
    rng = np.random.default_rng(3)
    a, b = (rng.random(50) < 0.8).astype(float), (rng.random(50) < 0.6).astype(float)
    diff, low, high, diffs = paired_bootstrap_interval(a, b, resamples=500, seed=7)
    ref = _naive_bootstrap(list(a), list(b), lambda v: sum(v) / len(v), 500, 7)
    assert diff == pytest.approx(a.mean() - b.mean())
    assert (low, high) == pytest.approx(ref, abs=1e-12)
    assert len(diffs) == 500 and low <= diff <= high
    again = paired_bootstrap_interval(a, b, resamples=500, seed=7)
    assert again[1:3] == (low, high)  # seeded


def test_paired_bootstrap_of_pooled_ratios_matches_a_naive_loop():
    rng = np.random.default_rng(4)
    counts = rng.integers(1, 10, 40).astype(float)
    a = np.stack([rng.random(40) * counts, counts], 1)
    b = np.stack([rng.random(40) * counts * 1.2, counts], 1)

    def rmse(items):
        return math.sqrt(sum(x[0] for x in items) / sum(x[1] for x in items))

    _, low, high, _ = paired_bootstrap_interval(a, b, reduce=root_ratio_reduce, resamples=300, seed=1)
    assert (low, high) == pytest.approx(_naive_bootstrap(list(a), list(b), rmse, 300, 1), abs=1e-12)
    assert ratio_reduce(a) == pytest.approx(a[:, 0].sum() / a[:, 1].sum())
    assert root_mean_reduce(np.array([1.0, 9.0])) == pytest.approx(math.sqrt(5.0))


def test_bootstrap_needs_paired_items():
    with pytest.raises(ValueError):
        paired_bootstrap_interval(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError):
        paired_bootstrap_interval(np.zeros(1), np.zeros(1))


def test_block_bootstrap_matches_a_naive_loop():
    rng = np.random.default_rng(5)
    a = np.cumsum(rng.normal(size=37))  # serially dependent items
    b = a + rng.normal(scale=0.5, size=37)
    _, low, high, _ = paired_bootstrap_interval(a, b, resamples=400, seed=2, block=5)
    gen, diffs = np.random.default_rng(2), []
    for _ in range(400):
        starts = gen.integers(0, 37 - 5 + 1, math.ceil(37 / 5))
        idx = [int(s) + j for s in starts for j in range(5)][:37]
        diffs.append(sum(a[i] for i in idx) / 37 - sum(b[i] for i in idx) / 37)
    assert (low, high) == pytest.approx(tuple(np.percentile(diffs, [2.5, 97.5])), abs=1e-12)
    with pytest.raises(ValueError):
        paired_bootstrap_interval(a, b, block=38)
