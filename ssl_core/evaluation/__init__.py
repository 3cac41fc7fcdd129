"""Evaluators: linear / MLP probes, kNN, fine-tuning, seed aggregation, reports, G-SimCLR sampler.

Importing this package is cheap (no torch import); the public names load lazily;
:mod:`ssl_core.builtin` registers the evaluators as ``core/<name>``.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "linear_probe": "ssl_core.evaluation.probes",
    "mlp_probe": "ssl_core.evaluation.probes",
    "fit_head": "ssl_core.evaluation.probes",
    "standardisation": "ssl_core.evaluation.probes",
    "mlp_head": "ssl_core.evaluation.probes",
    "early_stopped_mlp": "ssl_core.evaluation.early_stopping",
    "EarlyStopped": "ssl_core.evaluation.early_stopping",
    "knn_classify": "ssl_core.evaluation.knn",
    "knn_predict": "ssl_core.evaluation.knn",
    "finetune": "ssl_core.evaluation.fine_tuning",
    "over_seeds": "ssl_core.evaluation.seeds",
    "ComparisonRow": "ssl_core.evaluation.report",
    "DemoResult": "ssl_core.evaluation.report",
    "format_comparison": "ssl_core.evaluation.report",
    "GSimCLRBatchSampler": "ssl_core.evaluation.gsimclr",
    "kmeans": "ssl_core.evaluation.clustering",
    "generic_report": "ssl_core.evaluation.generic",
    "embed_dataset": "ssl_core.evaluation.generic",
    "probe_comparison": "ssl_core.evaluation.generic",
    "reinitialised": "ssl_core.evaluation.generic",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ssl_core.evaluation' has no attribute {name!r}")
