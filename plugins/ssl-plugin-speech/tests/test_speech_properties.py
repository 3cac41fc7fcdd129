"""Property tests (hypothesis) of the WAV reader: any file reads or is a ``DataError``; PCM round-trips."""

from __future__ import annotations

import io
import tempfile
import wave
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from ssl_plugin_speech.audio import read_audio

from ssl_core.errors import DataError

SETTINGS = settings(max_examples=60, deadline=None, database=None)  # nothing written in the tree


def _pcm(samples: np.ndarray, rate: int, channels: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as fh:
        fh.setnchannels(channels)
        fh.setsampwidth(2)
        fh.setframerate(rate)
        fh.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def _read(content: bytes):  # noqa: ANN202 - (samples, rate)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.wav"
        path.write_bytes(content)
        return read_audio(path)


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_read_or_are_a_data_error(content: bytes) -> None:
    try:
        data, rate = _read(content)
    except DataError as exc:
        assert "a.wav" in str(exc)
        return
    assert data.dtype == np.float32 and data.ndim == 2 and data.shape[0] > 0 and rate > 0
    assert np.isfinite(data).all()


@SETTINGS
@given(
    st.integers(1, 2).flatmap(
        lambda ch: st.tuples(
            st.just(ch),
            st.lists(st.integers(-32768, 32767), min_size=ch, max_size=64 * ch).map(
                lambda v: v[: len(v) // ch * ch]
            ),
        )
    ),
    st.sampled_from([8000, 16000, 22050, 44100]),
)
def test_pcm16_round_trips_exactly(channels_samples: tuple[int, list[int]], rate: int) -> None:
    channels, values = channels_samples
    samples = np.array(values, dtype=np.int64)
    data, got_rate = _read(_pcm(samples, rate, channels))
    assert got_rate == rate and data.shape == (len(values) // channels, channels)
    assert np.array_equal(data.reshape(-1) * 32768.0, samples.astype(np.float32))


@SETTINGS
@given(st.integers(1, 400), st.integers(1, 399))
def test_a_truncated_file_is_refused(n: int, cut: int) -> None:
    content = _pcm(np.ones(n), 16000, 1)
    cut = min(cut, 2 * n - 1)  # keep the 44-byte header, lose part of the samples
    try:
        _read(content[: len(content) - cut])
    except DataError as exc:
        assert "truncated file" in str(exc) or "samples" in str(exc)
    else:
        raise AssertionError("a truncated WAV was accepted")
