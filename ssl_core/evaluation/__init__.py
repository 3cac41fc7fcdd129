"""Evaluators: linear / MLP probes, kNN, fine-tuning, seed aggregation, reports, G-SimCLR sampler.

Importing this package is cheap (no torch import); the public names load lazily;
:mod:`ssl_core.builtin` registers the evaluators as ``core/<name>``.
"""

from __future__ import annotations

from ssl_core._lazy import by_module, lazy_getattr

_LAZY = by_module(
    {
        "ssl_core.evaluation.probes": (
            "linear_probe",
            "mlp_probe",
            "fit_head",
            "standardisation",
            "mlp_head",
            "probe_items",
            "item_scores",
            "ITEM_REDUCE",
        ),
        "ssl_core.evaluation.early_stopping": ("early_stopped_mlp", "EarlyStopped"),
        "ssl_core.evaluation.knn": ("knn_classify", "knn_predict"),
        "ssl_core.evaluation.fine_tuning": ("finetune",),
        "ssl_core.evaluation.seeds": ("over_seeds",),
        "ssl_core.evaluation.report": ("ComparisonRow", "DemoResult", "format_comparison"),
        "ssl_core.evaluation.intervals": (
            "paired_t_interval",
            "paired_bootstrap_interval",
            "mean_reduce",
            "ratio_reduce",
            "root_mean_reduce",
            "root_ratio_reduce",
        ),
        "ssl_core.evaluation.gsimclr": ("GSimCLRBatchSampler",),
        "ssl_core.evaluation.clustering": ("kmeans",),
        "ssl_core.evaluation.generic": (
            "generic_report",
            "embed_dataset",
            "probe_comparison",
            "paired_rows",
            "reinitialised",
        ),
    }
)

__all__ = list(_LAZY)


__getattr__ = lazy_getattr(__name__, _LAZY)
