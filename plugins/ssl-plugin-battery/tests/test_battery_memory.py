"""The memory estimate (issue 14) against a naive count of the kept floats, and how it grows with its knobs."""

from __future__ import annotations

from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.memory import estimate_memory, lstm_bytes
from ssl_plugin_battery.recipes import build_module


def test_the_bilstm_matches_a_naive_count_of_its_floats() -> None:
    args = GenEVArgs(window=128, hidden=32, layers=2, num_views=3)
    per_point = 2 * (4 + 3) * 32  # two directions x (4 gates, cell, tanh(cell), hidden) x hidden
    assert lstm_bytes(args, 16) == 4 * 16 * (3 + 1) * 128 * per_point * 2


def test_the_bilstm_grows_linearly_with_each_knob() -> None:
    base = lstm_bytes(GenEVArgs(), 8)
    assert lstm_bytes(GenEVArgs(), 16) == 2 * base
    assert lstm_bytes(GenEVArgs(num_views=7), 8) == 2 * base  # K + 1: 4 -> 8 series per snippet
    assert lstm_bytes(GenEVArgs(hidden=64), 8) == 2 * base
    assert lstm_bytes(GenEVArgs(window=256), 8) == 2 * base


def test_the_estimate_names_what_dominates_and_grows_with_the_batch() -> None:
    args = GenEVArgs()  # the projector reads 128 points x 64 features: 6.3 M parameters
    module = build_module(args, None)  # type: ignore[arg-type]
    small, big = (estimate_memory(args, None, module, b) for b in (1, 4096))  # type: ignore[arg-type]
    assert "weights and Adam state" in small.detail and "BiLSTM over batch 4096 x 4 views" in big.detail
    assert big.peak_bytes > small.peak_bytes and big.knobs[0] == "train.batch_size (4096)"
