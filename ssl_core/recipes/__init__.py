"""Core-only recipes (no plugin needed): ``core/vicreg-frames`` on real Los-loop traffic windows.

Importing this package is cheap (no torch import); :mod:`ssl_core.builtin` registers the recipe.
"""

from __future__ import annotations

from ssl_core.recipes.frames_args import FramesTrafficArgs

__all__ = ["FramesTrafficArgs"]
