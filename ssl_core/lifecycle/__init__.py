"""The domain lifecycle the core runs for every plugin: pretrain, evaluate, embed, demo.

A plugin declares a :class:`~ssl_core.plugins.lifecycle.DomainSpec` in its ``PluginTable``; the
functions here turn it into runs and tables, and ``ssl_core.cli.domain`` into commands.
Importing this package is cheap (no torch import): the names load lazily on first access.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "EvalContext": "ssl_core.lifecycle.runs",
    "PretrainOptions": "ssl_core.lifecycle.options",
    "PretrainResult": "ssl_core.lifecycle.pretraining",
    "default_run_dir": "ssl_core.lifecycle.pretraining",
    "embed_array": "ssl_core.lifecycle.runs",
    "embed_input": "ssl_core.lifecycle.runs",
    "evaluate_run": "ssl_core.lifecycle.runs",
    "load_owned_run": "ssl_core.lifecycle.runs",
    "pretrain": "ssl_core.lifecycle.pretraining",
    "pretrain_config": "ssl_core.lifecycle.pretraining",
    "run_demo": "ssl_core.lifecycle.demo",
    "run_domain": "ssl_core.lifecycle.runs",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.lifecycle' has no attribute {name!r}")

