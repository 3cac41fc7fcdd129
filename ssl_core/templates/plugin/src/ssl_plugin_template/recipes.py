"""The template's recipe: data (read and fitted once) + module (built from args and data only)."""

from __future__ import annotations

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_template.config import TemplateArgs
from ssl_plugin_template.data import build_data, restore_data
from ssl_plugin_template.method import build_module

DEFAULT = RecipeBuilder("template/default", TemplateArgs, build_data, build_module, restore_data)
"""``template/default``: two-view SSL on synthetic Gaussian clusters (or an ``.npz`` of features)."""
