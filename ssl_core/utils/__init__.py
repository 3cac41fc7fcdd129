"""Small shared helpers: atomic file writes (:mod:`ssl_core.utils.atomic`); benchmark timing, memory and
tables (:mod:`ssl_core.utils.bench`).

The public names load lazily, so importing the package costs nothing.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "atomic_writer": "ssl_core.utils.atomic",
    "format_table": "ssl_core.utils.bench",
    "markdown_table": "ssl_core.utils.bench",
    "print_table": "ssl_core.utils.bench",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.utils' has no attribute {name!r}")
