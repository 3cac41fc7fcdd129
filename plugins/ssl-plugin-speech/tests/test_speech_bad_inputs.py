"""The speech plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ssl_core.testing import BadInput, core_run, run_bad_input


def _wav(seconds: float = 1.0, rate: int = 16000, values: np.ndarray | None = None) -> bytes:
    samples = values if values is not None else np.sin(np.arange(int(seconds * rate)) / 10.0) * 8000
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as fh:
        fh.setnchannels(1)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


GOOD = _wav()


def _pretrain(
    case: str, files: dict[str, bytes | str], data: str, code: int, message: str, *extra: str
) -> BadInput:
    argv = (
        "speech",
        "pretrain",
        "--data",
        f"{{tmp}}/{data}",
        "--run-dir",
        "{tmp}/run",
        "--steps",
        "1",
        *extra,
    )
    return BadInput(f"speech-{case}", argv, code, message, files=files)


CASES = [
    _pretrain("truncated-wav", {"t.wav": GOOD[:2000]}, "t.wav", 1,
              "t.wav: data: truncated file: the header declares 32000 bytes of samples, it holds 1956"),
    _pretrain("truncated-wav-in-corpus", {"c/alice/a.wav": GOOD, "c/bob/b.wav": GOOD[:5000]}, "c", 1,
              "b.wav: data: truncated file"),
    _pretrain("empty-wav", {"e.wav": b""}, "e.wav", 1, "e.wav: header: cannot decode audio"),
    _pretrain("garbage-wav", {"g.wav": b"RIFF1234WAVEjunk"}, "g.wav", 1, "g.wav: header: cannot decode audio"),
    _pretrain("text-as-wav", {"x.wav": "not audio"}, "x.wav", 1, "x.wav: header: cannot decode audio"),
    _pretrain("wrong-suffix", {"a.mp3": GOOD}, "a.mp3", 1, "unsupported audio format '.mp3'"),
    _pretrain("no-samples", {"z.wav": _wav(0.0)}, "z.wav", 1, "z.wav: samples:"),
    _pretrain("silent", {"s.wav": _wav(values=np.zeros(16000))}, "s.wav", 1, "s.wav:"),
    _pretrain("empty-folder", {"d/readme.txt": "no audio"}, "d", 1, "no audio files (.wav, .flac, .ogg) found"),
    _pretrain("device-tpu", {"a.wav": GOOD}, "a.wav", 2, "unknown device 'tpu'", "--device", "tpu"),
    _pretrain("lr-nan", {"a.wav": GOOD}, "a.wav", 2, "optim.lr: must be a finite number > 0.0, got nan",
              "--set", "optim.lr=nan"),
    _pretrain("segment-frames-zero", {"a.wav": GOOD}, "a.wav", 2,
              "(--set recipe_args.segment_frames=0): recipe_args.segment_frames: must be >= 1, got 0",
              "--set", "recipe_args.segment_frames=0"),
    _pretrain("heads-not-dividing-dim", {"a.wav": GOOD}, "a.wav", 2, "recipe_args.heads: must divide dim (128), got 3",
              "--set", "recipe_args.heads=3"),
    *(
        BadInput(f"speech-{verb}-core-run", ("speech", *argv), 2, "is a run of the 'core' plugin, not 'speech'",
                 files={"a.wav": GOOD}, prepare=core_run)
        for verb, argv in [
            ("evaluate", ("evaluate", "{tmp}/run")),
            ("embed", ("embed", "{tmp}/run", "{tmp}/a.wav", "-o", "{tmp}/o.npy")),
            ("frames", ("frames", "{tmp}/run", "{tmp}/a.wav", "-o", "{tmp}/o.npy")),
            ("convert", ("convert", "{tmp}/run", "--source", "{tmp}/a.wav", "-o", "{tmp}/o.wav")),
        ]
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
