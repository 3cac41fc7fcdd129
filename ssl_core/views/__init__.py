"""View generators: masking, geometric masking, TERA alterations, feature subsets, JEPA masks,
frame projections (Fourier, wavelet) and the multi-view composer.

Importing this package is cheap (no torch import); the public names load lazily;
:mod:`ssl_core.builtin` registers the generators as ``core/<name>``.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.views.masks": ("random_mask", "block_mask", "span_mask"),
        "ssl_core.views.masking": ("MaskingView",),
        "ssl_core.views.geometric": ("geometric_mask", "GeometricMaskView"),
        "ssl_core.views.tera": ("TERAAlteration",),
        "ssl_core.views.feature_subset": ("mutual_information_matrix", "FeatureSubsetView"),
        "ssl_core.views.context_target": ("ContextTargetMasks",),
        "ssl_core.views.fourier": ("fourier_frame", "inverse_fourier_frame", "FourierFrameView"),
        "ssl_core.views.wavelet": (
            "morlet_filters",
            "wavelet_frame",
            "inverse_wavelet_frame",
            "WaveletFrameView",
        ),
        "ssl_core.views.multiview": ("IdentityView", "MultiView"),
        "ssl_core.views.utils": ("valid_positions",),
    }
)

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
