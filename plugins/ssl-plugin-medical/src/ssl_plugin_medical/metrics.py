"""Classification metrics of the MedMNIST protocol (Yang et al., 2023): ROC AUC and accuracy.

:func:`auc_score` is the Mann-Whitney statistic in float64 (ties count one half), the area under the
ROC curve of a binary score. :func:`auc_reduce` computes it from ``(N, 2)`` items ``(score, label)``,
so a paired bootstrap over test items (:meth:`ssl_core.evaluation.ComparisonRow.from_items`) can
resample it.
"""

from __future__ import annotations

import numpy as np


def auc_score(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC of ``scores`` for the positive class (label 1); 0.5 when a class is absent."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels).astype(bool)
    n_pos, n_neg = int(y.sum()), int((~y).sum())
    if n_pos == 0 or n_neg == 0:
        return 0.5
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    sorted_s = s[order]
    i = 0
    while i < len(s):  # average ranks over ties
        j = i
        while j + 1 < len(s) and sorted_s[j + 1] == sorted_s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def auc_reduce(items: np.ndarray) -> float:
    """:func:`auc_score` of ``(N, 2)`` items ``(score, label)``."""
    a = np.asarray(items, dtype=np.float64)
    return auc_score(a[:, 0], a[:, 1])
