"""The ``battery/genev`` recipe: charge curves (embedded NASA slice by default) + the GenEV module.

GenEVBattery, Arunan et al. (IEEE TII 2025). The data phase reads, validates and resamples the charge
curves and cuts the pretraining snippets (``data.build_data``); the module phase sizes GenEV from the
args only (``method.build_genev``).
"""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.curves import CHANNELS
from ssl_plugin_battery.data import BatteryData, build_data, restore_data
from ssl_plugin_battery.memory import estimate_memory
from ssl_plugin_battery.method import GenEV, build_genev

RECIPE = "battery/genev"


def build_module(args: GenEVArgs, data: BatteryData) -> GenEV:
    """The recipe's module phase: GenEV over the snippets' channels."""
    return build_genev(args, len(CHANNELS))


genev_recipe = RecipeBuilder(RECIPE, GenEVArgs, build_data, build_module, restore_data, estimate_memory)
"""``battery/genev``: ``genev_recipe(**recipe_args)`` is the :class:`~ssl_core.interfaces.Recipe`."""
