"""The ``traffic/stssdl`` recipe: the data (read and fitted once) + the ST-SSDL module built from it.

``recipe_args.ssl=false`` is the no-SSL ablation (``DomainSpec.baselines["no-ssl"]``, trained by
``pretrain`` into ``RUN_DIR/no-ssl``). The run configs are in :mod:`ssl_plugin_traffic.config`.
"""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder

from .config import STSSDLArgs
from .data import build_data, restore_data
from .memory import estimate_memory
from .method import build_module

__all__ = ["STSSDL_RECIPE"]

STSSDL_RECIPE = RecipeBuilder(
    "traffic/stssdl", STSSDLArgs, build_data, build_module, restore_data, estimate_memory
)
"""``traffic/stssdl``: ST-SSDL forecaster on a series file and its graph (the simulator by default)."""
