"""ssl_core.utils.bench: timer, memory, paired runs, median ratio, tables."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ssl_core.utils.bench import (
    Timer,
    format_table,
    markdown_table,
    median_ratio,
    paired_runs,
    peak_rss_mb,
    print_table,
    time_call,
)


def test_timer_measures_sleep() -> None:
    with Timer() as t:
        time.sleep(0.02)
    assert t.elapsed >= 0.02
    assert time_call(lambda: time.sleep(0.005), repeats=2) >= 0.01


def test_peak_rss_grows_with_allocation() -> None:
    # fresh interpreter: the peak of this test process may already exceed any small allocation
    code = (
        "from ssl_core.utils.bench import peak_rss_mb\n"
        "before = peak_rss_mb()\n"
        "blob = bytearray(b'x' * (64 * 1024 * 1024))\n"
        "print(before, peak_rss_mb())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, after = map(float, out.split())
    assert 1 < before < after and after - before >= 48
    assert peak_rss_mb() > 1


def test_paired_runs_alternate_order() -> None:
    order: list[str] = []
    a, b = paired_runs(lambda: order.append("a") or 1.0, lambda: order.append("b") or 2.0, pairs=4)
    assert order == ["a", "b", "b", "a", "a", "b", "b", "a"]
    assert a == [1.0] * 4 and b == [2.0] * 4
    with pytest.raises(ValueError):
        paired_runs(lambda: 1.0, lambda: 1.0, pairs=0)


def test_median_ratio() -> None:
    assert median_ratio([1.0, 2.0, 30.0], [1.0, 1.0, 1.0]) == 2.0
    assert median_ratio([2.0, 4.0], [1.0, 1.0]) == 3.0
    with pytest.raises(ValueError, match="paired"):
        median_ratio([1.0], [1.0, 2.0])
    with pytest.raises(ValueError, match="positive"):
        median_ratio([1.0], [0.0])


def test_markdown_table() -> None:
    rows = [{"name": "a", "ms": 1.5, "n": 3}, {"name": "b", "ms": 12345.0, "extra": "x"}]
    assert markdown_table(rows).splitlines() == [
        "| name | ms | n | extra |",
        "|---|---|---|---|",
        "| a | 1.5 | 3 |  |",
        "| b | 12,345 |  | x |",
    ]
    assert markdown_table([]) == ""


def test_print_table(capsys: pytest.CaptureFixture[str]) -> None:
    print_table([{"k": "x", "v": 0.25}], title="T")
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "T" and out[1].split() == ["k", "v"] and out[3].split() == ["x", "0.25"]
    assert format_table([{"v": 1e-5}]).splitlines()[-1].strip() == "1e-05"
