"""Corpus folders, metadata.tsv, segmenting, and the real VCTK / LibriSpeech files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from ssl_plugin_speech.corpus import default_data_dir, load_corpus, segment_dataset, segment_waves

from ssl_core.errors import DataError
from ssl_core.testing.data import shared_data_dir


def test_folder_with_metadata_and_mixed_formats(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    assert len(corpus.utterances) == 9 and corpus.speakers() == ["alice", "bob", "carol"]
    assert {u.path.suffix for u in corpus.utterances} == {".wav", ".flac", ".ogg"}
    first = corpus.utterances[0]
    assert first.transcript == "sentence 001" and first.sentence == "001"


def test_speaker_from_folder_without_metadata(corpus_dir: Path) -> None:
    (corpus_dir / "metadata.tsv").unlink()
    assert load_corpus(corpus_dir).speakers() == ["alice", "bob", "carol"]


def test_bad_metadata_and_folders(corpus_dir: Path, tmp_path: Path) -> None:
    meta = corpus_dir / "metadata.tsv"
    meta.write_text("file\tspeaker\nx.wav\ta\n")
    with pytest.raises(DataError, match="'path' column"):
        load_corpus(corpus_dir)
    meta.write_text("path\tspeaker\nmissing.wav\ta\n")
    with pytest.raises(DataError, match="listed file 'missing.wav' does not exist"):
        load_corpus(corpus_dir)
    meta.write_text("path\tspeaker\nalice/alice_001.wav\n")
    with pytest.raises(DataError, match="line 2"):
        load_corpus(corpus_dir)
    meta.unlink()
    (corpus_dir / "song.mp3").write_bytes(b"ID3")
    with pytest.raises(DataError, match="unsupported audio format"):
        load_corpus(corpus_dir)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="no audio files"):
        load_corpus(tmp_path / "empty")


def test_segment_waves_against_naive_loop() -> None:
    waves = [np.arange(10, dtype=np.float32), np.arange(3, dtype=np.float32) + 100]
    segs, lengths, source = segment_waves(waves, 4)
    expected = [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 0, 0], [100, 101, 102, 0]]
    assert segs.tolist() == expected and lengths.tolist() == [4, 4, 2, 3] and source.tolist() == [0, 0, 0, 1]
    segs, lengths, _ = segment_waves([np.ones(9, np.float32)], 4)
    assert lengths.tolist() == [4, 4]


def test_segment_dataset_balances_the_target(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    data = segment_dataset(corpus, 48, target_speaker="alice")
    t = data.tensors
    assert t["wave"].shape[1] == 47 * 160 and t["n_frames"].max() <= 48
    share = float(t["is_target"].mean())
    assert 0.4 <= share <= 0.6
    assert torch.equal(t["is_target"].bool(), t["speaker"] == 0)
    with pytest.raises(DataError, match="target speaker 'zed'"):
        segment_dataset(corpus, 48, target_speaker="zed")


def test_embedded_default_is_vctk_subset() -> None:
    root = default_data_dir()
    assert len(list(root.glob("*.flac"))) == 40 and (root / "ATTRIBUTION.md").is_file()
    assert sum(p.stat().st_size for p in root.iterdir()) < 6_000_000


@pytest.mark.data
def test_real_vctk_and_librispeech_load() -> None:
    root = shared_data_dir("speech")
    vctk = load_corpus(root / "vctk_autovc")
    assert vctk.speakers() == ["p225", "p226", "p227", "p228"] and len(vctk.utterances) == 40
    assert all(u.transcript for u in vctk.utterances)
    libri = load_corpus(root / "librispeech_librosa")
    assert len(libri.utterances) == 3
    assert all(any("resampled from 22050 Hz" in n for n in u.report.notes) for u in libri.utterances)
