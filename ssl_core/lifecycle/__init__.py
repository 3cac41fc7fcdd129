"""The domain lifecycle the core runs for every plugin: pretrain, evaluate, embed, demo.

A plugin declares a :class:`~ssl_core.plugins.lifecycle.DomainSpec` in its ``PluginTable``; the
functions here turn it into runs and tables, and ``ssl_core.cli.domain`` into commands.
"""

from __future__ import annotations

from ssl_core.lifecycle.demo import run_demo
from ssl_core.lifecycle.options import PretrainOptions
from ssl_core.lifecycle.pretrain import PretrainResult, default_run_dir, pretrain, pretrain_config
from ssl_core.lifecycle.runs import (
    EvalContext,
    embed_array,
    embed_input,
    evaluate_run,
    load_owned_run,
    run_domain,
)

__all__ = [
    "EvalContext",
    "PretrainOptions",
    "PretrainResult",
    "default_run_dir",
    "embed_array",
    "embed_input",
    "evaluate_run",
    "load_owned_run",
    "pretrain",
    "pretrain_config",
    "run_demo",
    "run_domain",
]
