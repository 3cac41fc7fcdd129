from pathlib import Path

import numpy as np
import pytest

from ssl_core.evaluation import ComparisonRow, DemoResult, format_comparison
from ssl_core.evaluation.intervals import paired_bootstrap_interval, paired_t_interval, root_mean_reduce


def test_from_seeds_carries_n_and_the_paired_t_interval():
    row = ComparisonRow.from_seeds("t", "acc", [0.81, 0.84, 0.80], [0.80, 0.80, 0.79],
                                   extra={"baseline": "raw"})  # fmt: skip
    assert row.n == 3 and row.unit == "seeds" and row.method == "paired t"
    assert row.diff_ci == pytest.approx(paired_t_interval([0.81, 0.84, 0.80], [0.80, 0.80, 0.79])[1:])
    assert row.ssl == pytest.approx((np.mean([0.81, 0.84, 0.80]), np.std([0.81, 0.84, 0.80], ddof=1)))
    assert row.verdict == "no clear difference"  # mean +0.02 but the interval contains 0
    assert row.delta > 0 and not row.ssl_wins


def test_verdict_follows_the_interval_and_the_direction():
    up = ComparisonRow.from_seeds("t", "acc", [0.9, 0.91, 0.92], [0.8, 0.8, 0.81])
    assert up.verdict == "better" and up.ssl_wins
    err = ComparisonRow.from_seeds("t", "rmse", [0.9, 0.91, 0.92], [0.8, 0.8, 0.81], higher_is_better=False)
    assert err.verdict == "worse" and not err.ssl_wins
    low = ComparisonRow.from_seeds("t", "rmse", [0.7, 0.71, 0.7], [0.8, 0.8, 0.81], higher_is_better=False)
    assert low.verdict == "better"


def test_one_seed_has_no_interval_and_no_zero_spread_printed():
    row = ComparisonRow.from_seeds("t", "acc", [0.9], [0.5], extra={"baseline": "b"})
    assert row.n == 1 and row.diff_ci is None and row.verdict == "no clear difference"
    text = format_comparison([row])
    assert "+- 0.0000" not in text and "(no CI)" in text and "one seed: no interval" in text


def test_from_items_is_the_seeded_paired_bootstrap():
    rng = np.random.default_rng(0)
    errs_a, errs_b = rng.random(80) ** 2, (rng.random(80) + 0.3) ** 2
    row = ComparisonRow.from_items("t", "rmse", errs_a, errs_b, reduce=root_mean_reduce,
                                   higher_is_better=False, unit="windows", seed=5)  # fmt: skip
    _, low, high, _ = paired_bootstrap_interval(
        errs_a, errs_b, reduce=root_mean_reduce, resamples=2000, seed=5
    )
    assert row.diff_ci == (low, high) and row.n == 80 and row.unit == "windows"
    assert row.ssl[0] == pytest.approx(np.sqrt(errs_a.mean())) and row.verdict == "better"
    with pytest.raises(ValueError):
        ComparisonRow.from_items("t", "acc", [1.0, 0.0], [1.0])


def test_old_constructor_still_works():
    row = ComparisonRow("capacity", "rmse", (0.3, 0.0), (0.2, 0.0), False, {"seeds": 3})
    assert row.n is None and row.diff_ci is None and row.verdict == "no clear difference"
    assert "no interval given; seeds=3" in format_comparison([row])


def _realistic_rows():
    rng = np.random.default_rng(1)
    acc = lambda p: (rng.random(96) < p).astype(float)  # noqa: E731
    tab = [ComparisonRow.from_seeds("adult income (OpenML 1590)", "acc", [0.85, 0.851, 0.849], [0.84, 0.845, 0.842],
                                    extra={"baseline": b, "seeds": 3, "n_train": 512, "n_test": 9769})
           for b in ("same MLP on raw features", "HistGradientBoosting")]  # fmt: skip
    traffic = [ComparisonRow.from_items(f"test deviation {b}", "mape %", rng.random(300) * 30, rng.random(300) * 31,
                                        higher_is_better=False, unit="windows",
                                        extra={"baseline": "no-SSL ablation", "input_deviation": "0.00-12.34"})
               for b in ("low", "mid", "high")]  # fmt: skip
    speech = [
        ComparisonRow.from_items("sentence id (held-out speaker)", "acc", acc(0.8), acc(0.7), unit="utterances",
                                 extra={"baseline": "same TERA encoder, random init", "raw_logmel": 0.8889}),
        ComparisonRow.from_items("speaker id on content emb. (frame MLP probe, per frame)", "acc", acc(0.3),
                                 acc(0.6), higher_is_better=False, unit="frames",
                                 extra={"baseline": "TERA features (input of the content encoder)", "chance": 0.25,
                                        "mlp_per_utterance": 0.3125, "linear_per_frame": 0.2871,
                                        "linear_per_utterance": 0.3333, "pooled_probe": 0.4167,
                                        "content_sentence_id": 0.6667}),
    ]  # fmt: skip
    return tab, traffic, speech


@pytest.mark.parametrize("which", [0, 1, 2])
def test_table_fits_100_columns(which):
    rows = _realistic_rows()[which]
    text = format_comparison(rows)
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    assert lines[0].split() == ["#", "task", "metric", "ssl", "base", "diff", "[95%", "CI]", "n", "verdict"]
    for row in rows:  # every baseline is named in a group heading; every row has a footnote
        assert f"vs {row.extra['baseline']}:" in lines
    numbers = [n for line in lines if line.startswith("[") for n in line[1 : line.index("]")].split(", ")]
    expanded = [k for n in numbers for k in range(int(n.split("-")[0]), int(n.split("-")[-1]) + 1)]
    assert sorted(expanded) == list(range(1, len(rows) + 1))  # every row has exactly one footnote
    assert "+- 0.0000" not in text


def test_table_groups_by_baseline_and_footnotes_details():
    tab, traffic, speech = _realistic_rows()
    text = format_comparison(tab + speech)
    lines = text.splitlines()
    assert lines[1] == "vs same MLP on raw features:" and lines[3] == "vs HistGradientBoosting:"
    assert lines[2].startswith("1  adult income") and "acc ↑" in lines[2] and lines[2].endswith("better")
    assert (
        "[1-2] task: adult income (OpenML 1590); paired t over 3 seeds; seeds=3; n_train=512; n_test=9769"
        in lines
    )
    assert any(ln.startswith("[3] task: sentence id (held-out speaker); paired bootstrap over 96 utterances")
               for ln in lines)  # fmt: skip
    assert "pooled_probe=0.4167" in text.replace("\n     ", " ")
    res = DemoResult("tabular", tab, Path("runs/x"))
    assert res.format().startswith("tabular demo (runs/x)")


def test_domain_rows_get_their_own_headings():
    rows = [
        ComparisonRow.from_seeds(
            "y", "acc", [0.9, 0.8], [0.5, 0.6], extra={"domain": d, "baseline": "random init"}
        )
        for d in ("toy", "speech")
    ]
    lines = format_comparison(rows).splitlines()
    assert lines[1] == "toy: vs random init:" and lines[3] == "speech: vs random init:"
    assert "domain=" not in "\n".join(lines)


def test_long_tasks_keep_their_last_word_and_shared_footnotes_merge():
    from ssl_core.evaluation.table import _cut, _ranges

    assert _cut("test deviation high", 17) == "test deviati…high" and _cut("short", 17) == "short"
    assert _cut("speaker id on content embeddings", 12) == "speaker id …"
    assert _ranges([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
