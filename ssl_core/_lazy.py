"""Lazy package attributes: public names imported from their module on first access (PEP 562).

A package that must stay cheap to import (no torch) lists ``{name: "module.path"}`` and binds the
result of :func:`lazy_getattr` as its module-level ``__getattr__``::

    _LAZY = by_module({"ssl_core.methods.two_view": ("TwoViewMethod",)})
    __all__ = sorted(_LAZY)
    __getattr__ = lazy_getattr(__name__, _LAZY)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["by_module", "lazy_getattr"]


def lazy_getattr(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """The ``__getattr__`` of ``package``: ``names[name]`` imported, then its attribute ``name``."""

    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(importlib.import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__


def by_module(groups: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """``{module: (name, ...)}`` -> ``{name: module}`` (a name listed twice is a bug)."""
    out: dict[str, str] = {}
    for module, names in groups.items():
        for name in names:
            if name in out:
                raise ValueError(f"lazy name {name!r} listed for {out[name]} and {module}")
            out[name] = module
    return out
