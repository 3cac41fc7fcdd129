"""The core's own recipe (no plugin, no data files): ``core/synthetic``, written by ``ssl init core``.

Importing this package is cheap (no torch import); :mod:`ssl_core.builtin` registers the recipe.
"""

from __future__ import annotations

from ssl_core.recipes.synthetic_args import SyntheticArgs

__all__ = ["SyntheticArgs"]
