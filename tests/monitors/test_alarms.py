"""The collapse / stall alarm rules against hand-computed values, the tracker and the run-dir note."""

from __future__ import annotations

import io
import json
import math

import pytest
import torch

from ssl_core.monitors import rankme
from ssl_core.monitors.alarms import (
    AlarmTracker,
    collapse_note,
    collapse_rankme_threshold,
    is_collapsed,
    is_stalled,
    normalised_std,
)
from ssl_core.monitors.stats import feature_std


def test_rankme_threshold_is_the_larger_of_1_5_and_1_percent_of_the_dim():
    assert collapse_rankme_threshold(8) == 1.5
    assert collapse_rankme_threshold(150) == 1.5
    assert collapse_rankme_threshold(512) == pytest.approx(5.12)


def test_normalised_std_is_about_one_for_an_isotropic_embedding():
    assert normalised_std(0.125, 64) == pytest.approx(1.0)
    z = torch.randn(4096, 64, generator=torch.Generator().manual_seed(0))
    assert normalised_std(feature_std(z), 64) == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize(
    ("rankme_value", "std", "dim", "collapsed"),
    [
        (1.09, 0.2, 64, True),  # RankMe 1.09 < 1.5
        (4.0, 0.2, 512, True),  # 4.0 < 5.12
        (6.0, 0.2, 512, False),
        (10.0, 0.0007, 128, True),  # 0.0007 * sqrt(128) = 0.0079 < 0.01
        (10.0, 0.00099, 100, True),  # 0.0099 < 0.01
        (10.0, 0.00101, 100, False),  # 0.0101
        (30.0, 0.1, 64, False),
        (math.nan, 0.0, 64, False),  # non-finite: the non-finite guard's business
    ],
)
def test_is_collapsed_hand_computed(rankme_value, std, dim, collapsed):
    assert (is_collapsed(rankme_value, std, dim) is not None) is collapsed


def test_constant_embeddings_collapse_and_random_ones_do_not():
    const = torch.ones(64, 16) * torch.linspace(-1, 1, 16)
    assert rankme(const) == pytest.approx(1.0, abs=1e-4)
    assert is_collapsed(rankme(const), feature_std(const), 16) is not None
    z = torch.randn(64, 16, generator=torch.Generator().manual_seed(1))
    assert is_collapsed(rankme(z), feature_std(z), 16) is None


@pytest.mark.parametrize(
    ("losses", "stalled"),
    [
        ([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], False),  # medians 8 -> 3
        ([1.0] * 10, True),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], True),  # diverging: 8 > 3 + 0.1 * 3
        ([5, 4, 100, 3, 3, 2, 2, 2, 50, 1], False),  # spikes ignored: medians 4 -> 2
        ([1.0] * 5 + [0.9995] * 5, True),  # 0.0005 < 1e-3 * 1.0
        ([1.0] * 5 + [0.998] * 5, False),  # 0.002 >= 1e-3
        ([1.0] * 9, False),  # window not full yet
        ([9, 8, 7, 6, 5, 4, 3, 2, 1, 0.5, math.nan], False),  # non-finite dropped
        ([100.0] * 5 + [1.0] * 10, False),  # flat window, but 100 -> 1 since the start: converged
        ([100.0, 100.0] + [1.0] * 10, True),  # start median(100, 100, 1, 1, 1) = 1: no progress
        ([10] * 5 + [2] * 5 + [3] * 5, True),  # diverging after progress: 3 > 2 + 0.2
        ([10] * 5 + [2] * 5 + [2.1] * 5, False),  # 2.1 <= 2.2 and 10 -> 2.1 since the start
    ],
)
def test_is_stalled_hand_computed(losses, stalled):
    assert (is_stalled([float(x) for x in losses]) is not None) is stalled


def test_tracker_warns_once_per_activation_and_again_after_clearing():
    stream = io.StringIO()
    tracker = AlarmTracker(stream=stream, advice={"collapse": "try --width 64"})
    bad, good = {"monitor/rankme": 1.0, "monitor/std": 0.0}, {"monitor/rankme": 20.0, "monitor/std": 0.1}
    assert tracker.update(10, bad, 64, None) == {"alarm/collapse": 1, "alarm/stalled": 0}
    assert tracker.update(20, bad, 64, None)["alarm/collapse"] == 1
    assert stream.getvalue().count("collapse alarm") == 1
    line = stream.getvalue().splitlines()[0]
    assert "step 10" in line and "RankMe 1" in line and "learning rate" in line and "--width 64" in line
    assert tracker.update(30, good, 64, None)["alarm/collapse"] == 0
    tracker.update(40, bad, 64, None)
    assert stream.getvalue().count("collapse alarm at step 40") == 1


def test_tracker_stall_alarm_from_the_losses():
    stream = io.StringIO()
    tracker = AlarmTracker(window=4, stream=stream)
    good = {"monitor/rankme": 20.0, "monitor/std": 0.1}
    losses = [4, 4, 4, 4, 4, 4, 3, 4, 4]
    flags = [tracker.update(s, good, 64, loss)["alarm/stalled"] for s, loss in enumerate(losses)]
    # [4,4|4,4] x3: flat since the start; [4,4|4,3] and [4,4|3,4]: 4 -> 3.5 improves; [4,3|4,4]:
    # 4 > min(4, 3.5) * 1.1 diverges
    assert flags == [0, 0, 0, 1, 1, 1, 0, 0, 1]
    out = stream.getvalue()
    assert out.count("stalled alarm at step 3") == 1 and out.count("stalled alarm") == 2
    assert "stalled alarm at step 8: median loss rose from 3.5 to 4 (diverging)" in out


def _write_rows(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def test_collapse_note_reads_the_last_monitor_row(tmp_path):
    assert collapse_note(tmp_path) is None  # no metrics.jsonl
    rows = [
        {"step": 10, "loss": 1.0, "monitor/rankme": 12.0, "alarm/collapse": 0},
        {"step": 20, "loss": 1.0, "monitor/rankme": 1.0904, "alarm/collapse": 1},
        {"step": 21, "loss": 1.0},  # a log row without monitors
    ]
    _write_rows(tmp_path / "metrics.jsonl", rows)
    note = collapse_note(tmp_path)
    assert note is not None and "step 20" in note and "RankMe 1.09" in note
    _write_rows(tmp_path / "metrics.jsonl", [*rows, {"step": 30, "monitor/rankme": 9.0, "alarm/collapse": 0}])
    assert collapse_note(tmp_path) is None  # it cleared


def test_domain_spec_alarm_advice_names_known_alarms_only():
    from ssl_core.plugins.lifecycle import DomainSpec

    assert DomainSpec(recipe="r", evaluate="m:f", alarm_advice={"stalled": "x"}).alarm_advice == {
        "stalled": "x"
    }
    with pytest.raises(ValueError, match="unknown alarm"):
        DomainSpec(recipe="r", evaluate="m:f", alarm_advice={"colapse": "x"})
