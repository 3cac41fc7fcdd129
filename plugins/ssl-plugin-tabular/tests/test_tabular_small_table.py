"""A small real table (200 Adult rows: numeric, categorical and a string label) pretrains with the
defaults: the small-data rule adapts the batch and says so, and the representation does not collapse."""

from __future__ import annotations

import json

import pytest
from conftest import ssl_tabular
from ssl_plugin_tabular.readers import write_adult_subset

from ssl_core.monitors.alarms import COLLAPSE_STD_RATIO, collapse_rankme_threshold


@pytest.mark.timeout(240)
def test_small_table_pretrains_with_the_defaults_without_collapse(tmp_path):
    csv = write_adult_subset(tmp_path / "adult200.csv")
    run = tmp_path / "run"
    # only the run length is shortened for CI (--steps keeps it; the batch is still the default's)
    result = ssl_tabular("pretrain", "--data", str(csv), "--target", "income", "--run-dir", str(run),
                         "--steps", "200", "--set", "train.progress=false")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "small dataset (128 training samples): train.batch_size 512 -> 32" in result.output
    assert "collapse alarm" not in result.output  # the warning line of the alarm
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    monitors = [r for r in rows if "monitor/rankme" in r]
    assert [r["step"] for r in monitors] == [100, 200] and all(r["alarm/collapse"] == 0 for r in monitors)
    dim = 15 * 32  # the flattened representation: ([REG] + 14 features) x 32
    assert monitors[-1]["monitor/rankme"] > 2 * collapse_rankme_threshold(dim)
    assert monitors[-1]["monitor/std"] * dim**0.5 > 10 * COLLAPSE_STD_RATIO


def test_an_explicit_batch_too_large_for_the_table_is_a_clear_error(tmp_path):
    csv = write_adult_subset(tmp_path / "adult200.csv")
    result = ssl_tabular("pretrain", "--data", str(csv), "--target", "income", "--run-dir", str(tmp_path / "r"),
                         "--set", "train.batch_size=256")  # fmt: skip
    assert result.exit_code == 2
    assert "train.batch_size: global batch 256 is larger than the dataset (128 samples)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "r").exists()
