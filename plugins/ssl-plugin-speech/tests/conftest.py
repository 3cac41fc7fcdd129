"""Shared fixtures: synthetic voiced "speech" written to temporary audio files, tiny recipe sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

torch.set_num_threads(1)

TINY_ARGS = {"dim": 32, "layers": 1, "heads": 2, "ffn": 64, "segment_frames": 48}
TINY_VC_ARGS = {**TINY_ARGS, "content_dim": 8, "content_hidden": 16, "acoustic_hidden": 16, "disc_hidden": 16}


def voice(f0: float, seconds: float = 1.0, sr: int = 16_000, seed: int = 0, vowel: int = 0) -> np.ndarray:
    """A synthetic voiced signal: harmonics of ``f0`` shaped by a formant, amplitude-modulated syllables."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    formant = 500.0 + 300.0 * vowel
    wave = sum(
        np.sin(2 * np.pi * k * f0 * t) * np.exp(-(((k * f0 - formant) / 400.0) ** 2)) for k in range(1, 30)
    )
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t) ** 2
    signal = wave * envelope / np.max(np.abs(wave))
    return (0.5 * signal + 0.003 * rng.standard_normal(len(t))).astype(np.float32)


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """Three speakers x three parallel sentences, WAV/FLAC/Ogg mixed, with a metadata.tsv."""
    root = tmp_path / "corpus"
    rows = ["path\tspeaker\tutterance_id\ttranscript"]
    for s, (spk, f0) in enumerate((("alice", 220.0), ("bob", 110.0), ("carol", 180.0))):
        (root / spk).mkdir(parents=True)
        for k, sent in enumerate(("001", "002", "003")):
            ext = (".wav", ".flac", ".ogg")[(s + k) % 3]
            rel = f"{spk}/{spk}_{sent}{ext}"
            sf.write(root / rel, voice(f0, 1.2, seed=s * 10 + k, vowel=k), 16_000)
            rows.append(f"{rel}\t{spk}\t{spk}_{sent}\tsentence {sent}")
    (root / "metadata.tsv").write_text("\n".join(rows) + "\n")
    return root
