"""Audio loading: normalisation and every bad input (each with a clear DataError)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from speech_helpers import voice
from ssl_plugin_speech.audio import TARGET_DB, load_audio, normalize_loudness, write_wav_atomic

from ssl_core.errors import DataError


def _rms_db(x: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2))))


def test_clean_file_is_levelled_to_minus_25_db(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    sf.write(
        path, np.concatenate([np.zeros(8000, np.float32), voice(150.0), np.zeros(8000, np.float32)]), 16_000
    )
    wave, report = load_audio(path)
    assert wave.dtype == np.float32 and abs(_rms_db(wave) - TARGET_DB) < 1e-3
    assert len(wave) < 16_000 + 4000 and any("trimmed" in n for n in report.notes)


def test_normalize_loudness_closed_form() -> None:
    x = np.full(100, 0.5, np.float32)
    assert np.allclose(normalize_loudness(x, -20.0), 0.1, atol=1e-6)


def test_wrong_sample_rate_is_resampled_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.wav"
    sf.write(path, voice(150.0, 1.0, sr=22_050), 22_050)
    wave, report = load_audio(path)
    assert report.source_sample_rate == 22_050
    assert any("resampled from 22050 Hz to 16000 Hz" in n for n in report.notes)
    assert abs(len(wave) - 16_000) < 1600


def test_stereo_is_downmixed_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "a.flac"
    left = voice(150.0)
    sf.write(path, np.stack([left, 0.5 * left], axis=1), 16_000)
    wave, report = load_audio(path, trim_db=None, target_db=None)
    assert report.source_channels == 2 and any("downmixed 2 channels" in n for n in report.notes)
    assert np.allclose(wave, 0.75 * left, atol=2e-4)


@pytest.mark.parametrize(
    ("make", "field", "reason"),
    [
        (lambda p: sf.write(p, np.zeros(0, np.float32), 16_000), "samples", "empty"),
        (lambda p: sf.write(p, np.zeros(16_000, np.float32), 16_000), "samples", "silent"),
        (lambda p: sf.write(p, voice(150.0, 0.01), 16_000), "duration", "shorter than one 25 ms window"),
        (lambda p: p.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk"), "header", "cannot decode"),
        (
            lambda p: sf.write(p, np.full(1000, np.nan, np.float32), 16_000, subtype="FLOAT"),
            "samples",
            "non-finite",
        ),
    ],
    ids=["empty", "silent", "too-short", "corrupt-header", "nan"],
)
def test_bad_files_raise_named_errors(tmp_path: Path, make, field: str, reason: str) -> None:
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(DataError) as info:
        load_audio(path)
    assert info.value.field == field and reason in info.value.reason and info.value.file == str(path)


def test_unsupported_format_and_missing_file(tmp_path: Path) -> None:
    mp3 = tmp_path / "a.mp3"
    mp3.write_bytes(b"ID3\x03\x00")
    with pytest.raises(DataError, match="unsupported audio format '.mp3'"):
        load_audio(mp3)
    with pytest.raises(DataError, match="does not exist"):
        load_audio(tmp_path / "nope.wav")


def test_write_wav_atomic_leaves_no_temporary(tmp_path: Path) -> None:
    out = write_wav_atomic(tmp_path / "sub" / "o.wav", voice(150.0))
    data, sr = sf.read(out)
    assert sr == 16_000 and len(data) == 16_000
    assert [p.name for p in out.parent.iterdir()] == ["o.wav"]
