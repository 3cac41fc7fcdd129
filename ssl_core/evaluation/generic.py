"""``ssl eval`` for recipes without their own ``evaluate``: linear probe, trained vs random init.

The trained module's frozen embeddings (``module.embed``) of ``recipe.eval_data`` are probed for
``recipe.label_key`` with :func:`~ssl_core.evaluation.linear_probe` on a seeded 50/50 split, and
compared with the same probe on a randomly re-initialised copy of the module (the standard
"random encoder" baseline of SSL papers).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from functools import partial
from typing import Any, TypeVar

import numpy as np
import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from ssl_core.data import fetch_batch
from ssl_core.evaluation.probes import ITEM_REDUCE, Task, linear_probe, probe_items
from ssl_core.evaluation.report import ComparisonRow
from ssl_core.evaluation.seeds import over_seeds
from ssl_core.interfaces import Batch, Recipe, SSLModule

M = TypeVar("M", bound=nn.Module)


@torch.no_grad()
def embed_dataset(
    module: SSLModule,
    dataset: Dataset[Any],
    *,
    label_key: str | None = None,
    batch_size: int = 512,
    collate: Any = None,
    device: torch.device | str | None = None,
) -> tuple[Tensor, Tensor | None]:
    """Embed every sample of ``dataset`` with ``module.embed`` (eval mode); also return its labels."""
    if device is None:
        param = next(module.parameters(), None)
        device = param.device if param is not None else torch.device("cpu")
    was_training = module.training
    module.eval()
    embs, labels = [], []
    n = len(dataset)  # type: ignore[arg-type]
    for start in range(0, n, batch_size):
        batch: Batch = fetch_batch(dataset, torch.arange(start, min(n, start + batch_size)), collate)
        batch = {k: v.to(device) if isinstance(v, Tensor) else v for k, v in batch.items()}
        embs.append(module.embed(batch).float().cpu())
        if label_key is not None:
            labels.append(batch[label_key].cpu())
    module.train(was_training)
    return torch.cat(embs), (torch.cat(labels) if label_key is not None else None)


def reinitialised(module: M, seed: int = 0) -> M:
    """A deep copy of ``module`` with every sub-module that can re-initialise itself re-initialised.

    ``reset_parameters`` is the torch convention; ``nn.MultiheadAttention`` names it
    ``_reset_parameters`` (its fused input projection would otherwise keep the trained weights).
    """
    torch.manual_seed(seed)
    fresh = copy.deepcopy(module)
    for sub in fresh.modules():
        reset = getattr(sub, "reset_parameters", None) or getattr(sub, "_reset_parameters", None)
        if callable(reset):
            reset()
    return fresh


def _probe_split(x: Tensor, y: Tensor, seed: int) -> dict[str, float]:
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    tr, te = perm[: len(x) // 2], perm[len(x) // 2 :]
    if y.is_floating_point():
        return linear_probe(x[tr], y[tr], x[te], y[te], task="regression", seed=seed)
    return linear_probe(x[tr], y[tr], x[te], y[te], task="classification", seed=seed)


def generic_report(
    module: SSLModule, recipe: Recipe, *, seeds: tuple[int, ...] = (0, 1, 2)
) -> dict[str, Any]:
    """Linear-probe report of ``recipe.eval_data[recipe.label_key]``: trained vs random encoder.

    Returns ``{"probe/<metric>": (mean, std), "random/<metric>": (mean, std), "n_eval": int}``.

    Raises:
        ValueError: the recipe has no ``eval_data`` or no ``label_key``.
    """
    if recipe.eval_data is None or recipe.label_key is None:
        raise ValueError(f"recipe {recipe.name!r} has no eval_data/label_key: nothing to probe")
    random_module = reinitialised(module)
    report: dict[str, Any] = {}
    for prefix, mod in (("probe", module), ("random", random_module)):
        x, y = embed_dataset(mod, recipe.eval_data, label_key=recipe.label_key, collate=recipe.collate)
        assert y is not None
        for metric, value in over_seeds(partial(_probe_split, x, y), seeds).items():
            report[f"{prefix}/{metric}"] = value
        report["n_eval"] = len(x)
    return report


def _split_items(x: Tensor, y: Tensor, seed: int) -> dict[str, np.ndarray]:
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    tr, te = perm[: len(x) // 2], perm[len(x) // 2 :]
    task: Task = "regression" if y.is_floating_point() else "classification"
    return probe_items(x[tr], y[tr], x[te], y[te], task=task, seed=seed)


def paired_rows(
    task: str,
    ssl: Sequence[dict[str, np.ndarray]],
    baseline: Sequence[dict[str, np.ndarray]],
    *,
    extra: dict[str, Any],
    unit: str = "items",
) -> list[ComparisonRow]:
    """Rows from per-seed :func:`~ssl_core.evaluation.probes.item_scores` of SSL and one baseline.

    Several seeds: a paired t-interval of the per-seed metrics; one seed: a paired bootstrap over
    its test items. Metrics ``rmse`` / ``mae`` are lower-is-better.
    """
    rows = []
    for metric in ssl[0]:
        reduce, higher = ITEM_REDUCE[metric], metric not in ("rmse", "mae")
        if len(ssl) > 1:
            values = [reduce(s[metric]) for s in ssl], [reduce(b[metric]) for b in baseline]
            rows.append(ComparisonRow.from_seeds(task, metric, *values, higher_is_better=higher, extra=extra))
        else:
            rows.append(ComparisonRow.from_items(task, metric, ssl[0][metric], baseline[0][metric],
                                                 reduce=reduce, higher_is_better=higher, extra=extra, unit=unit))  # fmt: skip
    return rows


def probe_comparison(
    ssl: Tensor, baselines: dict[str, Tensor], labels: Tensor, *, task: str, seeds: Sequence[int] = (0, 1, 2)
) -> list[ComparisonRow]:
    """Linear probes of ``labels`` on the SSL features versus each baseline's features (same split).

    Every feature set is probed on the same seeded half/half splits of the samples; one row per
    baseline and metric (``acc`` for integer labels, ``rmse`` / ``mae`` for float labels), with a
    paired t-interval over the seeds, or (one seed) a paired bootstrap over the test half.
    """
    seeds = [int(s) for s in seeds]
    ssl_items = [_split_items(ssl, labels, s) for s in seeds]
    rows = []
    for name, feats in baselines.items():
        base_items = [_split_items(feats, labels, s) for s in seeds]
        extra = {"baseline": name, "seeds": len(seeds), "n_test": len(ssl_items[0][next(iter(ssl_items[0]))])}
        rows += paired_rows(task, ssl_items, base_items, extra=extra, unit="test samples")
    return rows
