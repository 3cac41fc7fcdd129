"""Progress output, metrics files, precision resolution and optional TensorBoard."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
import torch
from _engine_toy import config, recipe

from ssl_core.engine import train
from ssl_core.engine.metrics import MetricsWriter, StepTimer
from ssl_core.engine.precision import resolve_precision, to_device
from ssl_core.errors import ConfigError


def test_metrics_writer_truncates_rows_past_the_resumed_step(tmp_path: Path) -> None:
    writer = MetricsWriter(tmp_path)
    for step in range(1, 6):
        writer.write({"step": step, "loss": float(step)})
    writer.write({"step": 6, "loss": float("nan")})
    writer.close()
    rows = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert rows[-1]["loss"] == "nan"  # strict JSON: non-finite values become strings
    resumed = MetricsWriter(tmp_path, resume_step=3)
    resumed.write({"step": 4, "loss": 0.0})
    resumed.close()
    steps = [json.loads(x)["step"] for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]


def test_step_timer_summary() -> None:
    timer = StepTimer()
    assert timer.summary() == {}
    timer.add(samples=10, data_s=0.1, compute_s=0.4)
    timer.add(samples=10, data_s=0.1, compute_s=0.4)
    summary = timer.summary()
    assert summary["samples_per_s"] == pytest.approx(20.0)
    assert summary["data_ms"] == pytest.approx(100.0) and summary["compute_ms"] == pytest.approx(400.0)


def test_precision_resolution_and_channels_last() -> None:
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert resolve_precision("auto", cpu).name == "fp32"
    assert resolve_precision("auto", cuda).name == "bf16"
    assert resolve_precision("fp16", cuda).uses_scaler and not resolve_precision("bf16", cuda).uses_scaler
    with pytest.raises(ConfigError, match="fp16"):
        resolve_precision("fp16", cpu)
    with resolve_precision("bf16", cpu).autocast():
        assert (torch.ones(2, 2) @ torch.ones(2, 2)).dtype == torch.bfloat16
    batch = to_device(
        {"img": torch.zeros(2, 3, 4, 5), "y": torch.zeros(2), "name": "a"}, cpu, channels_last=True
    )
    assert batch["img"].is_contiguous(memory_format=torch.channels_last) and batch["name"] == "a"


def test_tensorboard_is_optional(tmp_path: Path) -> None:
    if importlib.util.find_spec("tensorboard") is None:
        with pytest.raises(ConfigError, match=r"ssl-core\[trackers\]"):
            train(config(steps=1, tensorboard=True), tmp_path, recipe=recipe())
    else:
        train(config(steps=1, tensorboard=True), tmp_path, recipe=recipe())
        assert list((tmp_path / "tb").glob("events.*"))
