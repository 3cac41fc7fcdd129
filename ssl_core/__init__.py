"""ssl-core: self-supervised representation learning across domains.

Importing ``ssl_core`` is cheap (no torch import): the public API is loaded lazily on first
attribute access, so ``ssl --help`` and ``ssl plugins`` stay fast.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr
from ssl_core._version import __version__

_LAZY = by_module(
    {
        "ssl_core.hooks": ("hookimpl", "hookspec", "HOOK_API_VERSION"),
        "ssl_core.plugins.manifest": ("PluginManifest",),
        "ssl_core.plugins.declare": ("PluginTable", "Component"),
        "ssl_core.plugins.lifecycle": ("DomainSpec",),
        "ssl_core.interfaces": (
            "Encoder",
            "ViewGenerator",
            "Objective",
            "EmbeddingObjective",
            "ObjectiveOutput",
            "SSLModule",
            "StepOutput",
            "Recipe",
            "Batch",
            "Views",
        ),
        "ssl_core.schema": ("RunConfig", "TrainConfig", "OptimConfig", "EMAConfig", "ScheduleConfig"),
    }
)

__all__ = ["__version__", *_LAZY]


__getattr__ = lazy_getattr(__name__, _LAZY)
