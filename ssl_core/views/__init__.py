"""View generators: masking, geometric masking, TERA alterations, feature subsets, JEPA masks,
frame projections (Fourier, wavelet) and the multi-view composer.

Importing this package is cheap (no torch import); the public names load lazily;
:mod:`ssl_core.builtin` registers the generators as ``core/<name>``.
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
    "valid_positions": "ssl_core.views.utils",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.views' has no attribute {name!r}")
