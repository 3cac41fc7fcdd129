"""The speech plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest

from ssl_core.testing import BadInput, core_run, run_bad_input
from ssl_core.testing.faults import cached_run, full_disk, read_only


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


def _voice(f0: float) -> bytes:
    return _wav(values=np.sin(2 * np.pi * f0 * np.arange(16000) / 16000) * 8000)


CORPUS = {
    f"c/{spk}/{spk}_{k}.wav": _voice(f0 * (1 + k / 10))
    for spk, f0 in (("ann", 120), ("bo", 210))
    for k in range(2)
}
TINY = ("--set", "train.batch_size=2", "--set", "train.progress=false", "--set", "recipe_args.dim=16",
        "--set", "recipe_args.layers=1", "--set", "recipe_args.heads=2", "--set", "recipe_args.ffn=16",
        "--set", "recipe_args.segment_frames=16", "--set", "recipe_args.content_dim=4",
        "--set", "recipe_args.content_hidden=8", "--set", "recipe_args.acoustic_hidden=8",
        "--set", "recipe_args.disc_hidden=8")  # fmt: skip
PRETRAIN = ("speech", "pretrain", "--data", "{tmp}/c", "--steps", "1", *TINY)
TRAINED = cached_run(PRETRAIN, CORPUS)
OUTPUTS = {
    "embed": ("embed", "{tmp}/run", "{tmp}/a.wav", "-o"),
    "frames": ("frames", "{tmp}/run", "{tmp}/a.wav", "-o"),
    "convert": ("convert", "{tmp}/run", "--source", "{tmp}/a.wav", "-o"),
}
SUFFIX = {"embed": "npy", "frames": "npy", "convert": "wav"}

# disk and permission faults (issue 14): a full disk mid-write and a read-only folder, for pretrain and
# every verb that writes an output
FAULTS = [
    BadInput("speech-pretrain-disk-full", (*PRETRAIN, "--run-dir", "{tmp}/run"), 1,
             "No space left on device: {tmp}/run/checkpoints/step_1.pt", files=CORPUS,
             fault=lambda: full_disk("step_*.pt")),
    BadInput("speech-pretrain-read-only-run-dir", (*PRETRAIN, "--run-dir", "{tmp}/ro"), 1,
             "Permission denied: {tmp}/ro", files={**CORPUS, "ro/.keep": ""}, fault=lambda: read_only(Path("ro"))),
    *(
        BadInput(f"speech-{verb}-disk-full", ("speech", *argv, f"{{tmp}}/o.{SUFFIX[verb]}"), 1,
                 f"No space left on device: {{tmp}}/o.{SUFFIX[verb]}", files={"a.wav": GOOD}, prepare=TRAINED,
                 fault=lambda s=SUFFIX[verb]: full_disk(f"o.{s}"))
        for verb, argv in OUTPUTS.items()
    ),
    *(
        BadInput(f"speech-{verb}-read-only", ("speech", *argv, f"{{tmp}}/ro/o.{SUFFIX[verb]}"), 1,
                 "Permission denied: {tmp}/ro", files={"a.wav": GOOD, "ro/.keep": ""}, prepare=TRAINED,
                 fault=lambda: read_only(Path("ro")))
        for verb, argv in OUTPUTS.items()
    ),
]  # fmt: skip
CASES += FAULTS

LONG = _wav(
    values=np.sin(2 * np.pi * 150 * np.arange(16000 * 120) / 16000) * 8000
)  # 2 minutes, 12,001 frames

# resources estimated before work starts (issue 14): evaluation encodes each utterance whole
RESOURCES = [
    BadInput("speech-long-audio", ("speech", "pretrain", "--data", "{tmp}/c", "--run-dir", "{tmp}/run", "--steps", "1"),
             1, "c: memory: this run needs about", files={**CORPUS, "c/ann/long.wav": LONG},
             env={"SSL_CORE_MEMORY_LIMIT": "2G"}),
    BadInput("speech-long-audio-names-the-file", ("speech", "pretrain", "--data", "{tmp}/c", "--run-dir", "{tmp}/run",
             "--steps", "1"), 1, "12,001 frames (2.0 min) x 4 heads), 2.1 GB is available ($SSL_CORE_MEMORY_LIMIT); "
             "lower the length of ann/long.wav (split it into utterances under 30 s)",
             files={**CORPUS, "c/ann/long.wav": LONG}, env={"SSL_CORE_MEMORY_LIMIT": "2G"}),
]  # fmt: skip
CASES += RESOURCES

SHORT = _wav(values=np.sin(np.arange(800) / 3.0) * 8000)  # 50 ms: 6 frames
# degenerate corpora (issue 14): voice conversion with a single speaker, clips too short to train on
DEGENERATE = [
    _pretrain("one-speaker", {"c/ann/a.wav": GOOD, "c/ann/b.wav": GOOD}, "c", 1,
              "c: speaker: voice conversion needs external speakers besides the target"),
    _pretrain("clips-too-short", {"c/ann/a.wav": SHORT, "c/bo/b.wav": SHORT}, "c", 1,
              "c: duration: every clip is shorter than 0.20 s after trimming silence (2 clips)"),
]  # fmt: skip
CASES += DEGENERATE


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
