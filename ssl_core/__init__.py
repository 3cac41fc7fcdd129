"""ssl-core: self-supervised representation learning across domains.

Importing ``ssl_core`` is cheap (no torch import): the public API is loaded lazily on first
attribute access, so ``ssl --help`` and ``ssl plugins`` stay fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from ssl_core._version import __version__

_LAZY = {
    "hookimpl": "ssl_core.hooks",
    "hookspec": "ssl_core.hooks",
    "HOOK_API_VERSION": "ssl_core.hooks",
    "PluginManifest": "ssl_core.plugins.manifest",
    "PluginTable": "ssl_core.plugins.declare",
    "Component": "ssl_core.plugins.declare",
    "DomainSpec": "ssl_core.plugins.lifecycle",
    "Encoder": "ssl_core.interfaces",
    "ViewGenerator": "ssl_core.interfaces",
    "Objective": "ssl_core.interfaces",
    "EmbeddingObjective": "ssl_core.interfaces",
    "ObjectiveOutput": "ssl_core.interfaces",
    "SSLModule": "ssl_core.interfaces",
    "StepOutput": "ssl_core.interfaces",
    "Recipe": "ssl_core.interfaces",
    "Batch": "ssl_core.interfaces",
    "Views": "ssl_core.interfaces",
    "RunConfig": "ssl_core.schema",
    "TrainConfig": "ssl_core.schema",
    "OptimConfig": "ssl_core.schema",
    "EMAConfig": "ssl_core.schema",
    "ScheduleConfig": "ssl_core.schema",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core' has no attribute {name!r}")
