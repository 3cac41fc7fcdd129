"""Log-mel features computed in torch on the training device, and librosa's as the reference.

TERA's input is an 80-dimensional log-mel spectrogram with a 25 ms window and a 10 ms hop, mean
and variance normalised (Liu, Li, Lee, "TERA", TASLP 2021, section IV-A). :class:`LogMel` runs the
STFT, the mel projection and the log in torch so features are made batch-wise on the device from
raw waveforms; :func:`librosa_logmel` is the same computation in librosa (float64), used as the
numerical reference in the tests and as the CPU baseline in the speed benchmark. The mel filter
bank itself is librosa's (Slaney-normalised), copied into a buffer once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import librosa
import numpy as np
import torch
from torch import Tensor, nn

from ssl_core.views import valid_positions
from ssl_plugin_speech.audio import SAMPLE_RATE


@dataclass(frozen=True)
class MelConfig:
    """Analysis settings shared by the torch and librosa paths (TERA's: 25 ms / 10 ms / 80 mels)."""

    sample_rate: int = SAMPLE_RATE
    n_fft: int = 400
    hop: int = 160
    n_mels: int = 80
    fmin: float = 0.0
    fmax: float | None = None
    log_floor: float = 1e-10

    def n_frames(self, n_samples: int) -> int:
        """Frames of a centred STFT of ``n_samples`` samples."""
        return 1 + n_samples // self.hop

    def filterbank(self) -> np.ndarray:
        """librosa's ``(n_mels, n_fft // 2 + 1)`` mel filter bank."""
        return librosa.filters.mel(
            sr=self.sample_rate, n_fft=self.n_fft, n_mels=self.n_mels, fmin=self.fmin, fmax=self.fmax
        )


DEFAULT_MEL = MelConfig()
"""The default (immutable) analysis settings."""


def librosa_mel_kwargs(cfg: MelConfig = DEFAULT_MEL) -> dict[str, Any]:
    """The STFT / mel arguments librosa needs to match :class:`LogMel` (analysis and Griffin-Lim)."""
    return {
        "sr": cfg.sample_rate,
        "n_fft": cfg.n_fft,
        "hop_length": cfg.hop,
        "win_length": cfg.n_fft,
        "window": "hann",
        "center": True,
        "pad_mode": "constant",
        "power": 2.0,
        "fmin": cfg.fmin,
        "fmax": cfg.fmax,
    }


def librosa_logmel(wave: np.ndarray, cfg: MelConfig = DEFAULT_MEL) -> np.ndarray:
    """Reference log-mel ``(frames, n_mels)`` of one waveform, computed by librosa."""
    power = librosa.feature.melspectrogram(
        y=np.asarray(wave, dtype=np.float64), n_mels=cfg.n_mels, **librosa_mel_kwargs(cfg)
    )
    return np.log(np.maximum(power, cfg.log_floor)).T


class LogMel(nn.Module):
    """Batched log-mel spectrogram ``(B, samples) -> (B, frames, n_mels)`` in torch.

    Matches :func:`librosa_logmel` (same periodic Hann window, centred frames with zero padding,
    power spectrum, librosa's filter bank, natural log with the same floor).
    """

    window: Tensor
    fbank: Tensor

    def __init__(self, cfg: MelConfig = DEFAULT_MEL) -> None:
        super().__init__()
        self.cfg = cfg
        self.register_buffer("window", torch.hann_window(cfg.n_fft, periodic=True), persistent=False)
        self.register_buffer("fbank", torch.from_numpy(cfg.filterbank()).float(), persistent=False)

    def forward(self, wave: Tensor) -> Tensor:
        """Return the log-mel features of ``wave`` (``(B, S)`` or ``(S,)``)."""
        spec = torch.stft(
            wave.float(),
            n_fft=self.cfg.n_fft,
            hop_length=self.cfg.hop,
            win_length=self.cfg.n_fft,
            window=self.window,
            center=True,
            pad_mode="constant",
            return_complex=True,
        )
        power = spec.real.square() + spec.imag.square()
        mel = torch.matmul(self.fbank, power)
        return mel.clamp_min(self.cfg.log_floor).log().transpose(-1, -2)


def frame_mask(lengths: Tensor, n_frames: int) -> Tensor:
    """``(B, T)`` boolean mask of valid frames given per-row frame counts (core ``valid_positions``)."""
    return valid_positions(lengths, lengths.shape[0], n_frames, lengths.device)


class CMVN(nn.Module):
    """Global cepstral mean and variance normalisation with statistics fitted on the training set.

    The statistics are buffers, so they travel with checkpoints and :meth:`inverse` can map a
    predicted normalised mel back to log-mel for Griffin-Lim.
    """

    mean: Tensor
    std: Tensor

    def __init__(self, n_mels: int = 80) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(n_mels))
        self.register_buffer("std", torch.ones(n_mels))

    @torch.no_grad()
    def fit(self, feats: Tensor, mask: Tensor | None = None) -> CMVN:
        """Fit mean/std over the valid frames of ``feats`` ``(B, T, n_mels)``."""
        flat = feats.reshape(-1, feats.shape[-1]) if mask is None else feats[mask]
        self.mean.copy_(flat.double().mean(0).float())
        self.std.copy_(flat.double().std(0).clamp_min(1e-5).float())
        return self

    def forward(self, feats: Tensor) -> Tensor:
        """Normalise ``feats``."""
        return (feats - self.mean) / self.std

    def inverse(self, feats: Tensor) -> Tensor:
        """Undo :meth:`forward`."""
        return feats * self.std + self.mean
