"""Voice conversion of one file and Griffin-Lim synthesis (librosa) to a listenable WAV.

The acoustic model predicts the target speaker's normalised log-mel; it is de-normalised with
the run's CMVN statistics, turned back into a power mel spectrogram and inverted with
``librosa.feature.inverse.mel_to_audio`` (Griffin-Lim; Griffin & Lim, 1984). The paper uses a
neural vocoder; Griffin-Lim keeps the plugin dependency-free at the cost of audio quality.
"""

from __future__ import annotations

from pathlib import Path

import librosa
import numpy as np
import torch

from ssl_core.errors import DataError
from ssl_plugin_speech.audio import AudioReport, load_audio, normalize_loudness, write_wav_atomic
from ssl_plugin_speech.features import DEFAULT_MEL, MelConfig, librosa_mel_kwargs
from ssl_plugin_speech.vc import VoiceConversionMethod


def griffin_lim(log_mel: np.ndarray, cfg: MelConfig = DEFAULT_MEL, n_iter: int = 32) -> np.ndarray:
    """Waveform from a ``(T, n_mels)`` natural-log power mel spectrogram (Griffin-Lim phase)."""
    power = np.exp(np.asarray(log_mel, dtype=np.float64)).T
    wave = librosa.feature.inverse.mel_to_audio(power, n_iter=n_iter, **librosa_mel_kwargs(cfg))
    return normalize_loudness(wave.astype(np.float32))


def convert_file(
    module: VoiceConversionMethod,
    source: str | Path,
    output: str | Path,
    *,
    n_iter: int = 32,
    device: str = "cpu",
) -> tuple[Path, AudioReport, np.ndarray]:
    """Convert ``source`` to the run's target speaker and write ``output`` (16-bit WAV, atomically).

    Returns ``(output path, the source's load report, converted log-mel (T, n_mels))``.
    """
    if not isinstance(module, VoiceConversionMethod):
        raise DataError(source, "run", "this run has no voice-conversion model (train recipe speech/vc)")
    if Path(output).suffix.lower() != ".wav":
        raise DataError(output, "format", "the converted audio is written as .wav")
    wave, report = load_audio(source)
    module.eval()
    log_mel = module.convert({"wave": torch.from_numpy(wave)[None].to(device)})[0].cpu().numpy()
    audio = griffin_lim(log_mel, module.tera.frontend.logmel.cfg, n_iter)
    return write_wav_atomic(output, audio), report, log_mel
