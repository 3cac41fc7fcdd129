"""The core's own recipe (no plugin, no data files): ``core/synthetic``, written by ``ssl init core``.

Importing this package is cheap (no torch import); :func:`register` adds a lazy factory.
"""

from __future__ import annotations

from typing import Any

from ssl_core.recipes.synthetic_args import SyntheticArgs

__all__ = ["SyntheticArgs", "register"]


def register(registry: Any) -> None:
    """Add the core recipes to ``registry``."""
    registry.add(
        "core/synthetic",
        "ssl_core.recipes.synthetic:synthetic_recipe",
        description="two-view SSL (feature masking, VICReg) on seeded Gaussian clusters; needs no data",
        config_cls=SyntheticArgs,
    )
