"""Pluggy markers and hook specifications of ssl-core.

Plugins implement these hooks in a *light* module (no top-level torch import) that also exposes a
:class:`ssl_core.plugins.manifest.PluginManifest` named ``PLUGIN``. Every registration hook receives
the :class:`ssl_core.registry.Registry` of one component kind and calls ``registry.add`` on it::

    from ssl_core import hookimpl

    @hookimpl
    def ssl_register_encoders(registry):
        registry.add("speech/tiny-cnn", "ssl_plugin_speech.encoders:TinyCNN", description="...")

Hooks only ever gain arguments (pluggy lets an implementation accept fewer arguments than its
specification), so old plugins keep working when a hook grows. ``HOOK_API_VERSION`` changes only
when a hook is removed or changes meaning; a plugin whose manifest targets another API version is
reported and skipped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from ssl_core.registry import Registry

__all__ = [
    "ENTRY_POINT_GROUP",
    "HOOK_API_VERSION",
    "PROJECT_NAME",
    "hookimpl",
    "hookspec",
    "ssl_default_config",
    "ssl_register_encoders",
    "ssl_register_evaluators",
    "ssl_register_methods",
    "ssl_register_objectives",
    "ssl_register_recipes",
    "ssl_register_view_generators",
]

PROJECT_NAME = "ssl_core"
"""Project name shared by the markers and the plugin manager."""

ENTRY_POINT_GROUP = "ssl_core.plugins"
"""Entry-point group under which distributions announce their plugin module."""

HOOK_API_VERSION = 2
"""Version of the hook contract; plugins declare the version they target in their manifest.

2 (contract v2): ``ssl_register_datasets``, ``ssl_register_demos`` and ``ssl_addhooks`` are gone; demos
are derived from a plugin's ``DomainSpec``."""

hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def ssl_register_encoders(registry: Registry) -> None:
    """Register :class:`ssl_core.interfaces.Encoder` factories as ``domain/name``."""


@hookspec
def ssl_register_view_generators(registry: Registry) -> None:
    """Register :class:`ssl_core.interfaces.ViewGenerator` factories as ``domain/name``."""


@hookspec
def ssl_register_objectives(registry: Registry) -> None:
    """Register :class:`ssl_core.interfaces.Objective` factories as ``domain/name``."""


@hookspec
def ssl_register_methods(registry: Registry) -> None:
    """Register generic :class:`ssl_core.interfaces.SSLModule` factories as ``domain/name``."""


@hookspec
def ssl_register_recipes(registry: Registry) -> None:
    """Register recipe factories ``factory(**recipe_args) -> Recipe``.

    Pass ``config_cls=<dataclass>`` to ``registry.add`` so ``recipe_args`` of a YAML config are
    validated (unknown keys and wrong types are errors naming the key and the file).
    """


@hookspec
def ssl_register_evaluators(registry: Registry) -> None:
    """Register evaluators (probes, domain metrics) as ``domain/name``."""


@hookspec(firstresult=True)
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Return a starter config (a plain dict, as a YAML file would hold) for ``domain``, or ``None``.

    Used by ``ssl init DOMAIN``; the first plugin returning a dict wins.
    """
