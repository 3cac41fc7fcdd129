"""Loading one audio file into a clean, normalised 16 kHz mono waveform.

Every file passes the same checks, each failing with a :class:`~ssl_core.errors.DataError` naming
the file, the field and the reason: the format must be WAV, FLAC or Ogg; the header must parse;
the samples must be finite, non-empty and not silent; after trimming leading and trailing silence
the clip must be at least one 25 ms analysis window long. Other sample rates are resampled with
librosa and stereo is averaged to mono; both are *reported* in :class:`AudioReport.notes` rather
than refused. Finally the waveform is scaled to an RMS level of -25 dB, as TERA does
(Liu, Li, Lee, "TERA", IEEE/ACM TASLP 2021, section IV-A).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import librosa
import numpy as np
import soundfile as sf

from ssl_core.errors import DataError
from ssl_core.utils import atomic_writer

SAMPLE_RATE = 16_000
"""Sample rate every waveform is brought to (Hz)."""
WINDOW_SAMPLES = 400
"""One 25 ms analysis window at 16 kHz."""
TARGET_DB = -25.0
"""RMS level (dBFS) utterances are scaled to, as in TERA."""
SUPPORTED_SUFFIXES = (".wav", ".flac", ".ogg")
SILENCE_PEAK = 1e-4
"""A file whose absolute peak is below this (about -80 dBFS) is treated as silent."""


@dataclass
class AudioReport:
    """What was done to a file while loading it (shown by the CLI and kept by the data loader)."""

    path: str
    source_sample_rate: int
    source_channels: int
    duration_s: float
    notes: list[str] = field(default_factory=list)


def check_suffix(path: Path) -> None:
    """Raise a :class:`DataError` unless ``path`` has a supported audio suffix."""
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        allowed = ", ".join(SUPPORTED_SUFFIXES)
        raise DataError(
            path, "format", f"unsupported audio format '{path.suffix or '<none>'}'; use {allowed}"
        )


def check_wav_length(path: Path) -> None:
    """Refuse a RIFF/WAVE file whose ``data`` chunk declares more bytes than the file holds.

    libsndfile silently reads what is there, so a truncated download would train on a partial
    clip; the header's own size is the reference. Files that are not RIFF/WAVE are left to the decoder.
    """
    size = path.stat().st_size
    with path.open("rb") as fh:
        if fh.read(12)[8:12] != b"WAVE":
            return
        pos = 12
        while pos + 8 <= size:
            fh.seek(pos)
            header = fh.read(8)
            chunk, length = header[:4], int.from_bytes(header[4:8], "little")
            if chunk == b"data":
                held = size - pos - 8
                if length not in (0, 0xFFFFFFFF) and length > held:
                    raise DataError(
                        path,
                        "data",
                        f"truncated file: the header declares {length} bytes of samples, it holds {held}",
                    )
                return
            pos += 8 + length + (length & 1)


def read_audio(path: str | Path) -> tuple[np.ndarray, int]:
    """Read ``path`` as float32 ``(samples, channels)`` and its sample rate, validating the header."""
    path = Path(path)
    if not path.is_file():
        raise DataError(path, "path", "file does not exist")
    check_suffix(path)
    check_wav_length(path)
    try:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError, ValueError) as exc:
        raise DataError(path, "header", f"cannot decode audio ({exc})") from exc
    if data.shape[0] == 0:
        raise DataError(path, "samples", "the file holds no audio samples (empty)")
    if not np.isfinite(data).all():
        raise DataError(path, "samples", "non-finite sample values (NaN or inf)")
    return data, int(sr)


def normalize_loudness(wave: np.ndarray, target_db: float = TARGET_DB) -> np.ndarray:
    """Scale ``wave`` so that its RMS level is ``target_db`` dBFS (TERA's -25 dB)."""
    rms = float(np.sqrt(np.mean(np.square(wave, dtype=np.float64))))
    gain = 10.0 ** (target_db / 20.0) / max(rms, 1e-12)
    return (wave * gain).astype(np.float32)


def to_clean_mono(
    data: np.ndarray,
    sr: int,
    path: str | Path,
    *,
    sample_rate: int = SAMPLE_RATE,
    trim_db: float | None = 30.0,
    target_db: float | None = TARGET_DB,
) -> tuple[np.ndarray, AudioReport]:
    """Downmix, resample, trim and level ``data`` (``(samples, channels)`` at ``sr``).

    Args:
        data: float samples, one column per channel.
        sr: their sample rate.
        path: the file name used in errors and the report.
        sample_rate: output rate; other rates are resampled (reported).
        trim_db: leading/trailing parts quieter than this many dB below the peak are cut (None: keep).
        target_db: RMS level to scale to (None: keep the level).

    Returns:
        ``(wave, report)``: a float32 mono waveform and what was done to it.
    """
    report = AudioReport(str(path), sr, int(data.shape[1]), data.shape[0] / sr)
    wave = data.mean(axis=1) if data.shape[1] > 1 else data[:, 0]
    if data.shape[1] > 1:
        report.notes.append(f"downmixed {data.shape[1]} channels to mono")
    if float(np.max(np.abs(wave))) < SILENCE_PEAK:
        raise DataError(path, "samples", f"the audio is silent (peak below {SILENCE_PEAK:g})")
    if sr != sample_rate:
        wave = librosa.resample(wave, orig_sr=sr, target_sr=sample_rate)
        report.notes.append(f"resampled from {sr} Hz to {sample_rate} Hz")
    if trim_db is not None:
        trimmed, _ = librosa.effects.trim(wave, top_db=trim_db, frame_length=1024, hop_length=256)
        if trimmed.shape[0] < wave.shape[0]:
            report.notes.append(
                f"trimmed {(wave.shape[0] - trimmed.shape[0]) / sample_rate:.2f} s of silence"
            )
        wave = trimmed
    window = WINDOW_SAMPLES * sample_rate // SAMPLE_RATE
    if wave.shape[0] < window:
        raise DataError(
            path, "duration", f"{wave.shape[0]} samples of sound, shorter than one 25 ms window ({window})"
        )
    if target_db is not None:
        wave = normalize_loudness(wave, target_db)
    return np.ascontiguousarray(wave, dtype=np.float32), report


def load_audio(
    path: str | Path,
    *,
    sample_rate: int = SAMPLE_RATE,
    trim_db: float | None = 30.0,
    target_db: float | None = TARGET_DB,
) -> tuple[np.ndarray, AudioReport]:
    """Load ``path`` (WAV/FLAC/Ogg) as a clean mono waveform; see :func:`to_clean_mono`."""
    data, sr = read_audio(path)
    return to_clean_mono(data, sr, path, sample_rate=sample_rate, trim_db=trim_db, target_db=target_db)


def write_wav_atomic(path: str | Path, wave: np.ndarray, sample_rate: int = SAMPLE_RATE) -> Path:
    """Write ``wave`` as 16-bit PCM WAV through a temporary file renamed into place.

    The WAV is encoded in memory first: soundfile turns a failed ``write`` of a file object into a bare
    ``AssertionError``, so a full disk would not say so; written as bytes it is an ``OSError`` naming
    ``path``.
    """
    path = Path(path)
    peak = float(np.max(np.abs(wave))) if wave.size else 0.0
    scaled = wave / peak * 0.95 if peak > 0.95 else wave
    encoded = io.BytesIO()
    sf.write(encoded, scaled.astype(np.float32), sample_rate, subtype="PCM_16", format="WAV")
    with atomic_writer(path) as fh:
        fh.write(encoded.getvalue())
    return path
