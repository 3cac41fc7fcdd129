"""Shared fixtures of the speech plugin tests (helpers live in ``speech_helpers``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import soundfile as sf
import torch

sys.path.insert(0, str(Path(__file__).parent))
from speech_helpers import voice  # noqa: E402

torch.set_num_threads(1)


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
