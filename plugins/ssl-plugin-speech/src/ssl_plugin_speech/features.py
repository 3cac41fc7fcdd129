"""Log-mel features computed in torch on the training device, and librosa's as the reference.

TERA's input is an 80-dimensional log-mel spectrogram with a 25 ms window and a 10 ms hop, mean
and variance normalised (Liu, Li, Lee, "TERA", TASLP 2021, section IV-A). :class:`LogMel` runs the
STFT, the mel projection and the log in torch so features are made batch-wise on the device from
raw waveforms; :func:`librosa_logmel` is the same computation in librosa (float64), used as the
numerical reference in the tests and as the CPU baseline in the speed benchmark. The mel filter
bank itself is librosa's (Slaney-normalised), copied into a buffer once. :class:`SpeechFrontend`
(log-mel + :class:`CMVN`) is the front-end of TERA, the core masked-reconstruction method
(:class:`ssl_core.interfaces.Frontend`): it runs on the training device before the alteration and
the encoder, and its CMVN statistics are buffers, saved in every checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import librosa
import numpy as np
import torch
from torch import Tensor, nn

from ssl_core.interfaces import Batch
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


class SpeechFrontend(nn.Module):
    """Waveform batch -> ``{**batch, "features": normalised log-mel (B, T, F), "n_frames": (B,)}``.

    A :class:`ssl_core.interfaces.Frontend`: ``n_frames`` is kept when the batch has it (valid
    frames of padded segments), else every frame is valid; a batch that already holds
    ``"features"`` passes through unchanged. State dict: ``cmvn.mean`` and ``cmvn.std`` (the
    log-mel window and filter bank are not saved; they follow from the :class:`MelConfig`).
    """

    def __init__(self, mel: MelConfig = DEFAULT_MEL) -> None:
        super().__init__()
        self.logmel = LogMel(mel)
        self.cmvn = CMVN(mel.n_mels)

    def raw(self, batch: Mapping[str, Tensor]) -> Tensor:
        """Un-normalised log-mel of ``batch["wave"]``."""
        return self.logmel(batch["wave"])

    def forward(self, batch: Mapping[str, Tensor]) -> Batch:
        if "features" in batch:
            return dict(batch)
        feats = self.cmvn(self.raw(batch))
        n_frames = batch.get("n_frames")
        if n_frames is None:
            n_frames = torch.full((feats.shape[0],), feats.shape[1], device=feats.device, dtype=torch.long)
        return {**batch, "features": feats, "n_frames": n_frames}
