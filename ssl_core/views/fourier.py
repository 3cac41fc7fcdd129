"""Fourier frame-projection view ("Learning Without Augmenting", eth-siplab Learning-with-FrameProjections).

The view is the signal expressed in the orthonormal real DFT basis: the rFFT (``norm="ortho"``)
real and imaginary parts stacked on the channel axis, with the non-DC / non-Nyquist bins scaled by
``sqrt(2)`` so the map is an isometry (``||view|| = ||x||``) and exactly invertible by
:func:`inverse_fourier_frame`. No augmentation is applied.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.utils import get_tensor


def _bin_weights(length: int, device: torch.device, dtype: torch.dtype) -> Tensor:
    w = torch.full((length // 2 + 1,), math.sqrt(2.0), device=device, dtype=dtype)
    w[0] = 1.0
    if length % 2 == 0:
        w[-1] = 1.0
    return w


def fourier_frame(x: Tensor) -> Tensor:
    """``(B, C, L)`` -> ``(B, 2C, L//2 + 1)``: orthonormal real-DFT coefficients (real parts, then imaginary)."""
    length = x.shape[-1]
    spec = torch.fft.rfft(x.float() if not x.is_floating_point() else x, dim=-1, norm="ortho")
    w = _bin_weights(length, x.device, spec.real.dtype)
    return torch.cat([spec.real * w, spec.imag * w], dim=-2)


def inverse_fourier_frame(coeffs: Tensor, length: int) -> Tensor:
    """Invert :func:`fourier_frame` for signals of ``length`` samples."""
    c = coeffs.shape[-2] // 2
    w = _bin_weights(length, coeffs.device, coeffs.dtype)
    spec = torch.complex(coeffs[..., :c, :] / w, coeffs[..., c:, :] / w)
    return torch.fft.irfft(spec, n=length, dim=-1, norm="ortho")


def as_channels(x: Tensor) -> Tensor:
    """``(B, L)`` -> ``(B, 1, L)``; ``(B, C, L)`` unchanged."""
    if x.ndim == 2:
        return x.unsqueeze(1)
    if x.ndim != 3:
        raise ValueError(f"frame views expect (B, L) or (B, C, L) signals, got {tuple(x.shape)}")
    return x


class FourierFrameView(ViewGenerator):
    """View ``name`` whose ``out_key`` holds :func:`fourier_frame` of ``batch[key]`` (deterministic).

    When ``out_key != key`` the input ``key`` is dropped from the view, so a multi-domain encoder can
    tell the views apart by their keys.
    """

    def __init__(self, key: str = "x", out_key: str | None = None, name: str = "fourier") -> None:
        self.key, self.out_key, self.name = key, out_key or key, name
        self.view_names = (name,)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        x = as_channels(get_tensor(batch, self.key, "FourierFrameView"))
        view = {k: v for k, v in batch.items() if k != self.key}
        view[self.out_key] = fourier_frame(x)
        return {self.name: view}
