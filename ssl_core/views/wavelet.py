"""Overcomplete wavelet-frame view ("Learning Without Augmenting", frame projections; Morlet / Gabor).

A complex Morlet ``cmor B-C`` filter bank (``psi_hat(f) = exp(-pi^2 B (f - C)^2)``, pywt's ``cmor1-1``
by default) at ``num_scales`` geometrically spaced centre frequencies, applied by FFT (circular)
convolution in torch. For a real signal, the real and imaginary parts of each analytic response are
real filters with Fourier responses ``E_s = (H_s(f) + H_s(-f)) / 2`` and ``O_s = (H_s(f) - H_s(-f)) / 2i``;
a Gaussian low-pass channel covers DC. All ``2 S + 1`` real channels form an overcomplete frame
whose frame operator is diagonal in frequency, ``S(f) = sum_k |G_k(f)|^2 > 0``, so the canonical dual
frame reconstructs the signal exactly (:func:`inverse_wavelet_frame`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.fourier import as_channels
from ssl_core.views.utils import get_tensor


def morlet_filters(
    length: int,
    num_scales: int = 8,
    *,
    bandwidth: float = 1.0,
    center: float = 1.0,
    f_min: float | None = None,
    f_max: float = 0.4,
    device: torch.device | str = "cpu",
) -> Tensor:
    """``(2 S + 1, L)`` complex Fourier responses of the real frame filters (even, odd per scale; low-pass)."""
    f = torch.fft.fftfreq(length, device=device, dtype=torch.float64)
    f_lo = f_min if f_min is not None else min(f_max, 2.0 / length)
    centres = torch.logspace(
        math.log10(f_max), math.log10(f_lo), num_scales, device=device, dtype=torch.float64
    )
    scales = center / centres
    pos = torch.exp(-(math.pi**2) * bandwidth * (scales[:, None] * f[None, :] - center) ** 2)
    neg = torch.exp(-(math.pi**2) * bandwidth * (-scales[:, None] * f[None, :] - center) ** 2)
    even = ((pos + neg) / 2).to(torch.complex128)
    odd = ((pos - neg) / 2j).to(torch.complex128)
    odd[:, f == -0.5] = 0  # a real odd filter has no response at the Nyquist bin (keeps outputs real)
    low = torch.exp(-(math.pi**2) * bandwidth * (scales[-1] * f) ** 2).to(torch.complex128)
    return torch.cat([torch.stack([even, odd], 1).reshape(2 * num_scales, length), low[None]])


def wavelet_frame(x: Tensor, filters: Tensor) -> Tensor:
    """``(B, C, L)`` -> ``(B, C * K, L)`` real frame coefficients for ``K`` filters ``(K, L)``."""
    spec = torch.fft.fft(x.to(torch.float64), dim=-1)
    out = torch.fft.ifft(spec.unsqueeze(2) * filters, dim=-1).real
    return out.reshape(x.shape[0], -1, x.shape[-1]).to(x.dtype if x.is_floating_point() else torch.float32)


def inverse_wavelet_frame(coeffs: Tensor, filters: Tensor) -> Tensor:
    """Canonical dual-frame reconstruction: ``x = ifft(sum_k conj(G_k) FFT(y_k) / sum_k |G_k|^2)``."""
    k, length = filters.shape
    y = coeffs.to(torch.float64).reshape(coeffs.shape[0], -1, k, length)
    num = (torch.fft.fft(y, dim=-1) * filters.conj()).sum(2)
    return torch.fft.ifft(num / filters.abs().pow(2).sum(0), dim=-1).real.to(coeffs.dtype)


class WaveletFrameView(ViewGenerator):
    """View ``name`` whose ``out_key`` holds the Morlet frame coefficients ``(B, C (2S+1), L)`` (deterministic).

    Args:
        key: ``(B, L)`` or ``(B, C, L)`` signal.
        out_key: key of the coefficients (the input key is dropped when it differs).
        num_scales: S, the number of wavelet scales.
        bandwidth, center: the ``cmor B-C`` parameters.
        f_max: highest centre frequency in cycles per sample.
    """

    def __init__(
        self,
        key: str = "x",
        out_key: str | None = None,
        name: str = "wavelet",
        *,
        num_scales: int = 8,
        bandwidth: float = 1.0,
        center: float = 1.0,
        f_max: float = 0.4,
    ) -> None:
        self.key, self.out_key, self.name = key, out_key or key, name
        self.num_scales, self.bandwidth, self.center, self.f_max = num_scales, bandwidth, center, f_max
        self.view_names = (name,)
        self._cache: dict[tuple[int, str], Tensor] = {}

    def filters(self, length: int, device: torch.device) -> Tensor:
        """The (cached) filter bank for signals of ``length`` samples on ``device``."""
        cache_key = (length, str(device))
        if cache_key not in self._cache:
            self._cache[cache_key] = morlet_filters(
                length,
                self.num_scales,
                bandwidth=self.bandwidth,
                center=self.center,
                f_max=self.f_max,
                device=device,
            )
        return self._cache[cache_key]

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        x = as_channels(get_tensor(batch, self.key, "WaveletFrameView"))
        view = {k: v for k, v in batch.items() if k != self.key}
        view[self.out_key] = wavelet_frame(x, self.filters(x.shape[-1], x.device))
        return {self.name: view}
