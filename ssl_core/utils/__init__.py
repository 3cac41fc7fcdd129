"""Small shared helpers: atomic file writes (:mod:`ssl_core.utils.atomic`); benchmark timing, memory and
tables (:mod:`ssl_core.utils.bench`).

The public names load lazily, so importing the package costs nothing.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.utils.atomic": ("atomic_writer", "remove_stale_temporaries"),
        "ssl_core.utils.bench": ("format_table", "markdown_table", "print_table"),
        "ssl_core.utils.rundirs": ("default_run_dir",),
    }
)

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
