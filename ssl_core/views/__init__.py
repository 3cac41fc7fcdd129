"""View generators: masking, geometric masking, TERA alterations, feature subsets, JEPA masks,
frame projections (Fourier, wavelet) and the multi-view composer.

Importing this package is cheap (no torch import); the public names load lazily, and
:func:`register` adds lazy ``"module:attr"`` factories to the view-generator registry.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "random_mask": "ssl_core.views.masks",
    "block_mask": "ssl_core.views.masks",
    "span_mask": "ssl_core.views.masks",
    "MaskingView": "ssl_core.views.masking",
    "geometric_mask": "ssl_core.views.geometric",
    "GeometricMaskView": "ssl_core.views.geometric",
    "TERAAlteration": "ssl_core.views.tera",
    "mutual_information_matrix": "ssl_core.views.feature_subset",
    "FeatureSubsetView": "ssl_core.views.feature_subset",
    "ContextTargetMasks": "ssl_core.views.context_target",
    "fourier_frame": "ssl_core.views.fourier",
    "inverse_fourier_frame": "ssl_core.views.fourier",
    "FourierFrameView": "ssl_core.views.fourier",
    "morlet_filters": "ssl_core.views.wavelet",
    "wavelet_frame": "ssl_core.views.wavelet",
    "inverse_wavelet_frame": "ssl_core.views.wavelet",
    "WaveletFrameView": "ssl_core.views.wavelet",
    "IdentityView": "ssl_core.views.multiview",
    "MultiView": "ssl_core.views.multiview",
}

_VIEWS = {
    "core/masking": ("masking:MaskingView", "random / block / span masking over any token axis"),
    "core/geometric-mask": ("geometric:GeometricMaskView", "SimMTM geometric masking (K masked copies)"),
    "core/tera": ("tera:TERAAlteration", "TERA time / frequency / magnitude alteration + loss mask"),
    "core/feature-subset": ("feature_subset:FeatureSubsetView", "complementary feature halves (RFM / CFM)"),
    "core/context-target": ("context_target:ContextTargetMasks", "JEPA context and target index sets"),
    "core/fourier-frame": ("fourier:FourierFrameView", "orthonormal real-DFT frame projection"),
    "core/wavelet-frame": ("wavelet:WaveletFrameView", "overcomplete Morlet wavelet frame projection"),
    "core/identity": ("multiview:IdentityView", "the batch itself as a named view"),
    "core/multi-view": ("multiview:MultiView", "compose N views from a list of generators"),
}

__all__ = [*_LAZY, "register"]


def register(registry: Any) -> None:
    """Add the core view generators to ``registry`` (lazy factories, no torch import)."""
    for name, (target, description) in _VIEWS.items():
        registry.add(name, f"ssl_core.views.{target}", description=description)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.views' has no attribute {name!r}")
