"""Speech evaluation metrics: mel-cepstral distortion, pyramid pooling, speaker-embedding cosine.

Mel-cepstral distortion (Kubichek, "Mel-cepstral distance measure for objective speech quality
assessment", 1993) between two utterances of the same sentence::

    MCD = 10 / ln(10) * sqrt(2 * sum_{d=1..D} (c_d - c'_d)^2)      (dB, averaged over DTW-aligned frames)

Here the cepstra ``c`` are the orthonormal DCT-II of the natural-log *amplitude* mel spectrum
(half the log-power mel), coefficients 1..24 (energy ``c_0`` excluded), aligned by dynamic time
warping on the same cepstra. Toolkits using SPTK mel-cepstra give somewhat different absolute
values; the comparison that matters is converted versus unconverted source against the same reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import librosa
import numpy as np
import scipy.fft
import torch
from torch import Tensor

MCD_COEFFS = 24


def mel_cepstrum(log_power_mel: np.ndarray, n_coeffs: int = MCD_COEFFS) -> np.ndarray:
    """``(T, n_coeffs)`` cepstra 1..n of a ``(T, n_mels)`` natural-log power mel spectrogram."""
    amp = 0.5 * np.asarray(log_power_mel, dtype=np.float64)
    return scipy.fft.dct(amp, type=2, norm="ortho", axis=-1)[:, 1 : n_coeffs + 1]


def mel_cepstral_distortion(
    log_mel: np.ndarray, ref_log_mel: np.ndarray, n_coeffs: int = MCD_COEFFS
) -> float:
    """DTW-aligned MCD (dB) of ``log_mel`` against ``ref_log_mel`` (both ``(T, n_mels)`` log power)."""
    a, b = mel_cepstrum(log_mel, n_coeffs), mel_cepstrum(ref_log_mel, n_coeffs)
    _, path = librosa.sequence.dtw(X=a.T, Y=b.T, metric="euclidean")
    diff = a[path[:, 0]] - b[path[:, 1]]
    return float(np.mean(10.0 / math.log(10.0) * np.sqrt(2.0 * np.sum(diff**2, axis=1))))


def pyramid_pool(frames: Tensor, levels: Sequence[int] = (1, 2, 4)) -> Tensor:
    """Concatenate means of ``frames`` ``(T, D)`` over 1, 2, 4 ... equal time splits -> ``(sum(levels) D,)``.

    Keeps coarse temporal order, so an utterance-level linear probe can tell sentences apart.
    """
    out = []
    for n in levels:
        for chunk in torch.tensor_split(frames, n, dim=0):
            out.append(chunk.mean(0) if len(chunk) else frames.new_zeros(frames.shape[1]))
    return torch.cat(out)


def mean_std_pool(frames: Tensor) -> Tensor:
    """Concatenated mean and standard deviation over time (the usual speaker-probe pooling)."""
    return torch.cat([frames.mean(0), frames.std(0, unbiased=False)])


def cosine(a: Tensor, b: Tensor) -> float:
    """Cosine similarity of two vectors."""
    return float(torch.nn.functional.cosine_similarity(a.flatten(), b.flatten(), dim=0))
