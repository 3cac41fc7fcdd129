"""GenEVBattery's views: K = 3 geometrically masked copies per snippet (SimMTM, Dong et al., NeurIPS 2023;
Arunan et al., IEEE TII 2025): masked runs of mean length 3, masked share 0.5, masked values zeroed,
an independent mask per channel. The sampler is the core's :class:`ssl_core.views.GeometricMaskView`.
"""

from __future__ import annotations

from ssl_core.views import GeometricMaskView

__all__ = ["GeometricMaskView", "genev_views"]


def genev_views(num_views: int = 3, ratio: float = 0.5, mean_length: float = 3.0) -> GeometricMaskView:
    """The K masked copies of ``batch["x"]`` ``(B, T, C)`` (each view carries its ``mask``)."""
    return GeometricMaskView("x", num_views, ratio, mean_length, per_channel=True)
