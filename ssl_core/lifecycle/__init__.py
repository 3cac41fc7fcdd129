"""The domain lifecycle the core runs for every plugin: pretrain, evaluate, embed, demo.

A plugin declares a :class:`~ssl_core.plugins.lifecycle.DomainSpec` in its ``PluginTable``; the
functions here turn it into runs and tables, and ``ssl_core.cli.domain`` into commands.
Importing this package is cheap (no torch import): the names load lazily on first access.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.lifecycle.runs": (
            "EvalContext",
            "embed_array",
            "embed_input",
            "evaluate_run",
            "load_owned_run",
            "run_domain",
        ),
        "ssl_core.lifecycle.options": ("PretrainOptions",),
        "ssl_core.lifecycle.pretraining": (
            "PretrainResult",
            "pretrain",
            "pretrain_config",
        ),
        "ssl_core.lifecycle.demo": ("run_demo",),
    }
)

__all__ = sorted(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
