"""Lazy references ``"package.module:attr"``: how plugins name factories without importing them."""

from __future__ import annotations

import importlib
from typing import Any

from ssl_core.errors import PluginError

__all__ = ["resolve_object"]


def resolve_object(spec: str) -> Any:
    """Import ``"package.module:attr.sub"`` and return the attribute."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise PluginError(f"lazy reference {spec!r} must be 'module:attr'")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise PluginError(f"lazy reference {spec!r}: {module_name} has no attribute {attr!r}") from exc
    return obj
