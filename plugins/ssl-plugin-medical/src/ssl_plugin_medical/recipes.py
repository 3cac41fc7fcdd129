"""The ``medical/uni4eye`` recipe: images and / or volumes (embedded MedMNIST by default) + Uni4Eye.

Cai et al., "Uni4Eye", MICCAI 2022 (arXiv 2203.04614). The data phase reads and prepares the items
and fits the intensity statistics (:func:`~ssl_plugin_medical.data.build_data`); the module phase
sizes the model from the arguments and the data's dimensionalities
(:func:`~ssl_plugin_medical.method.build_module`). The paper's optimiser (AdamW, betas 0.9 / 0.95,
weight decay 0.05, warmup + cosine) is the default config's (:func:`~ssl_plugin_medical.config.default_config`).
"""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.data import build_data, restore_data
from ssl_plugin_medical.memory import estimate_memory
from ssl_plugin_medical.method import build_module

RECIPE = "medical/uni4eye"

uni4eye_recipe = RecipeBuilder(RECIPE, Uni4EyeArgs, build_data, build_module, restore_data, estimate_memory)
"""``medical/uni4eye``: ``uni4eye_recipe(**recipe_args)`` is the :class:`~ssl_core.interfaces.Recipe`."""
