"""The plugin system: manifests, component tables, entry-point loading and the typed facade over pluggy.

``get_plugin_manager()`` returns the process-wide :class:`SSLPluginManager`, loading the core
plugin and every installed ``ssl_core.plugins`` entry point on first use (lazily, idempotently).
Names are resolved lazily so importing :mod:`ssl_core.plugins.manifest` stays cheap.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.plugins.declare": ("Component", "PluginTable"),
        "ssl_core.plugins.manifest": ("PluginManifest",),
        "ssl_core.plugins.manager": (
            "PluginInfo",
            "PluginLoadError",
            "SSLPluginManager",
            "get_plugin_manager",
            "get_registries",
            "reset_plugin_manager",
        ),
        "ssl_core.plugins.recipe_args": ("validate_recipe_args",),
    }
)

__all__ = sorted(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
