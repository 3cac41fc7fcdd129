"""``validate_recipe_args``: the plugin-manager step that checks ``recipe_args`` against the recipe's config_cls."""

from __future__ import annotations

import types
from dataclasses import dataclass

import pytest

from ssl_core import hookimpl
from ssl_core.config import load_run_config
from ssl_core.errors import ConfigError
from ssl_core.plugins.manifest import PluginManifest
from ssl_core.plugins.recipe_args import validate_recipe_args
from ssl_core.schema import RunConfig


@dataclass
class RecipeArgs:
    window: int = 12
    data: str | None = None


@pytest.fixture
def toy_pm(ssl_pm):
    plugin = types.ModuleType("recipe_plugin")
    plugin.PLUGIN = PluginManifest("toy", "toy")  # type: ignore[attr-defined]
    plugin.ssl_register_recipes = hookimpl(  # type: ignore[attr-defined]
        lambda registry: registry.add("toy/r", lambda **kw: kw, config_cls=RecipeArgs)
    )
    with ssl_pm.registered(plugin):
        yield ssl_pm


def test_defaults_are_filled_in(toy_pm):
    cfg = validate_recipe_args(load_run_config({"recipe": "toy/r", "recipe_args": {"window": 24}}))
    assert cfg.recipe_args == {"window": 24, "data": None}  # the resolved config


def test_errors_name_the_source_and_the_field(toy_pm):
    cfg = load_run_config({"recipe": "toy/r", "recipe_args": {"windw": 24}})
    with pytest.raises(ConfigError, match=r"^run.yaml: recipe_args.windw: unknown key"):
        validate_recipe_args(cfg, "run.yaml")


def test_errors_name_the_override_that_wrote_the_field(toy_pm):
    overrides = ["recipe_args.window=x"]
    cfg = load_run_config({"recipe": "toy/r"}, overrides)
    with pytest.raises(ConfigError, match=r"--set recipe_args.window=x\): recipe_args.window: expected int"):
        validate_recipe_args(cfg, "<dict>", overrides)


def test_unregistered_recipe_is_left_alone(toy_pm):
    cfg = RunConfig(recipe="nobody/r", recipe_args={"anything": 1})
    assert validate_recipe_args(cfg) is cfg


def test_explicit_manager_is_used(ssl_pm):
    # The isolated manager knows only the core plugin: toy/r is unknown there, so nothing is checked.
    cfg = RunConfig(recipe="toy/r", recipe_args={"windw": 1})
    assert validate_recipe_args(cfg, pm=ssl_pm) is cfg
