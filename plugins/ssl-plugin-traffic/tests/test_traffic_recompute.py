"""Recompute only when the activation estimate needs it (``recompute: null``, the recipe default)."""

from __future__ import annotations

import pytest
import torch
from ssl_plugin_traffic import recompute
from ssl_plugin_traffic.config import STSSDLArgs
from ssl_plugin_traffic.recompute import activation_bytes, needs_recompute
from test_traffic_method import batch_of, tiny


def test_estimate_is_calibrated_at_the_official_size() -> None:
    """Los-loop, batch 64: the measured no-recompute minus recompute peak was 2.2 GiB (peers.md)."""
    got = activation_bytes(64, 207, 12, 12, 128, 128 + 64) / 1024**3
    assert 2.0 < got < 2.4
    assert activation_bytes(128, 207, 12, 12, 128, 192) == 2 * activation_bytes(64, 207, 12, 12, 128, 192)


def test_decision_against_free_memory(capsys: pytest.CaptureFixture[str]) -> None:
    cpu = torch.device("cpu")
    free = recompute.free_bytes(cpu)
    assert free > 0
    assert not needs_recompute(int(0.4 * free), cpu)
    assert "recompute off" in capsys.readouterr().err
    assert needs_recompute(int(0.6 * free), cpu)
    assert "recompute on" in capsys.readouterr().err


def test_default_is_auto_and_decided_once_at_the_first_training_batch(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert STSSDLArgs().recompute is None
    module, data = tiny(recompute=None)  # type: ignore[arg-type]
    monkeypatch.setattr(recompute, "free_bytes", lambda device: 1000)  # nothing fits: recompute
    with torch.no_grad():
        module(batch_of(data))
    assert capsys.readouterr().err == ""  # no decision without gradients
    module(batch_of(data)).loss.backward()
    assert module.net.recompute and module.net.encoder.recompute
    assert capsys.readouterr().err.count("recompute on") == 1
    module(batch_of(data))
    assert capsys.readouterr().err == ""  # printed once


def test_auto_off_when_memory_is_plenty(monkeypatch: pytest.MonkeyPatch) -> None:
    module, data = tiny(recompute=None)  # type: ignore[arg-type]
    monkeypatch.setattr(recompute, "free_bytes", lambda device: 1 << 40)
    module(batch_of(data)).loss.backward()
    assert not module.net.recompute and not module.net.encoder.recompute
