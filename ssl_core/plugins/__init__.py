"""The plugin system: manifests, component tables, entry-point loading and the typed facade over pluggy.

``get_plugin_manager()`` returns the process-wide :class:`SSLPluginManager`, loading the core
plugin and every installed ``ssl_core.plugins`` entry point on first use (lazily, idempotently).
Names are resolved lazily so importing :mod:`ssl_core.plugins.manifest` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "Component": "ssl_core.plugins.declare",
    "PluginTable": "ssl_core.plugins.declare",
    "PluginManifest": "ssl_core.plugins.manifest",
    "PluginInfo": "ssl_core.plugins.manager",
    "PluginLoadError": "ssl_core.plugins.manager",
    "SSLPluginManager": "ssl_core.plugins.manager",
    "get_plugin_manager": "ssl_core.plugins.manager",
    "get_registries": "ssl_core.plugins.manager",
    "reset_plugin_manager": "ssl_core.plugins.manager",
    "validate_recipe_args": "ssl_core.plugins.recipe_args",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.plugins' has no attribute {name!r}")
