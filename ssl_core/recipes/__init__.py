"""Core-only recipes (no plugin needed): ``core/vicreg-frames`` on real Los-loop traffic windows.

Importing this package is cheap (no torch import); :func:`register` adds lazy factories.
"""

from __future__ import annotations

from typing import Any

from ssl_core.recipes.frames_args import FramesTrafficArgs

__all__ = ["FramesTrafficArgs", "register"]


def register(registry: Any) -> None:
    """Add the core recipes to ``registry``."""
    registry.add(
        "core/vicreg-frames",
        "ssl_core.recipes.frames_traffic:vicreg_frames",
        description="VICReg between time and Fourier/wavelet frame projections of Los-loop traffic windows",
        config_cls=FramesTrafficArgs,
    )
