"""Resources estimated before work starts (``ssl_core.resources``): sizes, available memory, the refusal."""

from __future__ import annotations

import pytest
import torch

from ssl_core import resources
from ssl_core.errors import ResourceError
from ssl_core.resources import (
    MemoryEstimate,
    available_memory,
    check_memory,
    format_bytes,
    parse_size,
    training_state_bytes,
    transformer_bytes,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1000", 1000), ("8G", 8 * 2**30), ("512m", 512 * 2**20), ("1.5GiB", int(1.5 * 2**30)), ("2KB", 2048)],
)
def test_parse_size(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize("text", ["lots", "", "-1G", "8X", "1e9"])
def test_parse_size_refuses_what_is_not_a_size(text: str) -> None:
    with pytest.raises(ResourceError, match="is not a size"):
        parse_size(text)


def test_format_bytes() -> None:
    assert [format_bytes(n) for n in (999, 23_600_000_000, 1_500_000)] == ["999 B", "23.6 GB", "1.5 MB"]


def test_available_memory_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSL_CORE_MEMORY_LIMIT", "3G")
    assert available_memory() == (3 * 2**30, "$SSL_CORE_MEMORY_LIMIT")
    monkeypatch.delenv("SSL_CORE_MEMORY_LIMIT")
    have, where = available_memory()
    assert where.startswith("available RAM") and have is not None and have > 0
    monkeypatch.setattr(resources, "_meminfo", lambda: 12345)
    monkeypatch.setitem(__import__("sys").modules, "psutil", None)  # psutil not installed
    assert available_memory() == (12345, "available RAM (/proc/meminfo)")


def test_training_state_counts_adam_for_trainable_parameters_only() -> None:
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    module[1].weight.requires_grad_(False)
    trainable = 3 * 4 + 4 + 4  # linear weight + bias, norm bias
    other = 4 + 4 + 4 + 1  # norm weight (frozen), running mean / var, batch count
    assert training_state_bytes(module) == 4 * (4 * trainable + other)


def test_transformer_bytes_against_the_naive_count() -> None:
    b, t, d, h, f, n = 3, 7, 8, 2, 16, 5
    attention, rest = b * h * t * t, b * t * (12 * d + 2 * f)
    assert transformer_bytes(b, t, dim=d, heads=h, ffn=f, layers=n) == 4 * (
        n * (attention + rest) + 2 * attention
    )
    assert transformer_bytes(b, t, dim=d, heads=h, ffn=f, layers=n, grad=False) == 4 * (3 * attention + rest)
    # attention dominates long sequences: twice the tokens, about four times the bytes
    ratio = transformer_bytes(1, 20_000, dim=d, heads=h, ffn=f, layers=n) / transformer_bytes(
        1, 10_000, dim=d, heads=h, ffn=f, layers=n
    )
    assert 3.9 < ratio <= 4.0


def test_check_memory_refuses_with_the_estimate_and_the_knobs(monkeypatch: pytest.MonkeyPatch) -> None:
    estimate = MemoryEstimate(5 * 10**9, "attention", ("train.batch_size (64)", "fewer columns"), "t.csv")
    monkeypatch.setenv("SSL_CORE_MEMORY_LIMIT", "1G")
    with pytest.raises(ResourceError) as info:
        check_memory(estimate)
    assert str(info.value).startswith(
        "t.csv: memory: this run needs about 5.0 GB at its peak (attention), 1.1 GB"
    )
    assert "lower train.batch_size (64), fewer columns" in str(info.value)
    monkeypatch.setenv("SSL_CORE_MEMORY_LIMIT", "8G")
    check_memory(estimate)  # fits
    monkeypatch.setenv("SSL_CORE_MEMORY_LIMIT", "0")
    check_memory(estimate)  # 0: the check is off
