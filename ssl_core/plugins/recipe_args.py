"""Recipe-argument validation: the plugin-manager step between loading a config and building its recipe.

:func:`ssl_core.config.load_run_config` checks a config against the schema only (it imports no
plugin and no torch); ``recipe_args`` are checked here, against the ``config_cls`` the recipe was
registered with, by the CLI, :func:`ssl_core.engine.train` and :func:`ssl_core.engine.load_run`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ssl_core.config import blame_override, to_plain
from ssl_core.errors import ConfigError
from ssl_core.plugins.manager import get_registries
from ssl_core.schema import RunConfig

if TYPE_CHECKING:
    from ssl_core.plugins.manager import SSLPluginManager

__all__ = ["validate_recipe_args"]


def validate_recipe_args(
    config: RunConfig,
    source: str = "<config>",
    overrides: Sequence[str] = (),
    *,
    pm: SSLPluginManager | None = None,
) -> RunConfig:
    """``config`` with ``recipe_args`` validated by the registered recipe's ``config_cls`` (defaults filled in).

    The step after :func:`ssl_core.config.load_run_config` (which checks only the schema): the CLI,
    :func:`ssl_core.engine.train` and :func:`ssl_core.engine.load_run` call it. A recipe that is not
    registered is returned unchanged (building it reports that); one without a ``config_cls`` keeps its
    arguments as given.

    Args:
        config: a schema-valid run config.
        source: how errors name the config (its file, ``<dict>`` ...).
        overrides: the ``--set`` overrides applied to it, so an error names the one that wrote the key.
        pm: the plugin manager whose registries hold the recipe (the process-wide one by default).

    Raises:
        ConfigError: naming ``source`` and ``recipe_args.<field>`` (unknown key, missing key, wrong type).
    """
    recipes = get_registries(pm).recipes
    if config.recipe not in recipes:
        return config
    try:
        args = recipes.get(config.recipe).validate(config.recipe_args, source=source, prefix="recipe_args")
    except ConfigError as exc:
        raise blame_override(exc, source, overrides) from None
    return dataclasses.replace(config, recipe_args={k: to_plain(v) for k, v in args.items()})
