"""T-JEPA's downstream protocol: an MLP on the frozen target encoder's flattened output vs raw features.

Thimonier et al. (ICLR 2025, arXiv 2410.05016), section 4: downstream models take the frozen target
encoder's full output ``(n_cls + D) x H``, flattened. The comparison is the *same* MLP on raw features
(MinMax numerics + one-hot categoricals), plus scikit-learn's HistGradientBoosting as the strong simple
baseline (the paper's gradient-boosting anchors are XGBoost / CatBoost). :func:`evaluate` is the
plugin's one evaluation (``ssl eval RUN``, ``ssl-tabular evaluate RUN`` and ``ssl demo``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.errors import ConfigError
from ssl_core.evaluation import (
    ITEM_REDUCE,
    ComparisonRow,
    early_stopped_mlp,
    item_scores,
    paired_rows,
    probe_items,
)
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext
from ssl_plugin_tabular.config import TJEPAArgs
from ssl_plugin_tabular.data import PreparedTable
from ssl_plugin_tabular.preprocess import EncodedTable, TablePreprocessor

#: ``--quick``: one seed, at most this many MLP epochs and training rows.
QUICK_EPOCHS, QUICK_MAX_TRAIN = 5, 512


@dataclass
class ProbeSettings:
    """Downstream MLP settings (full-batch Adam, see :func:`ssl_core.evaluation.mlp_probe`).

    With ``select_epochs`` (and a ``val`` split) the epoch count is chosen among those values on the
    validation split (early stopping, :func:`ssl_core.evaluation.early_stopped_mlp`); otherwise the
    MLP trains for ``epochs``.
    """

    epochs: int = 200
    lr: float = 1e-3
    hidden: int = 256
    weight_decay: float = 1e-5
    select_epochs: tuple[int, ...] = ()


def select_epochs(epochs: int, every: int) -> tuple[int, ...]:
    """Early-stopping candidates ``every, 2 * every, ... <= epochs`` (none when ``every <= 0``)."""
    return tuple(range(every, epochs + 1, every)) if every > 0 else ()


def raw_features(table: EncodedTable, cardinalities: Sequence[int]) -> Tensor:
    """MinMax numerics followed by one-hot categoricals (index 0 = unseen gets its own column)."""
    parts = [table.x_num]
    parts += [F.one_hot(table.x_cat[:, j], int(k)).float() for j, k in enumerate(cardinalities)]
    return torch.cat(parts, dim=1)


@torch.no_grad()
def embed_table(
    embed: Callable[[dict[str, Tensor]], Tensor],
    table: EncodedTable,
    *,
    batch_size: int = 4096,
    device: str | torch.device = "cpu",
) -> Tensor:
    """Apply ``embed`` (e.g. ``module.embed``) to the table in batches on ``device``; ``(N, F)`` on ``device``."""
    tensors = {"x_num": table.x_num, "x_cat": table.x_cat}
    out = [
        embed({k: v[i : i + batch_size].to(device) for k, v in tensors.items()}).float()
        for i in range(0, len(table), batch_size)
    ]
    return torch.cat(out)


def metric_name(prep: TablePreprocessor) -> tuple[str, bool]:
    """``("acc", True)`` for classification, ``("rmse", False)`` for regression."""
    return ("acc", True) if prep.schema.task == "classification" else ("rmse", False)


def _label_units(items: np.ndarray, metric: str, prep: TablePreprocessor) -> np.ndarray:
    """Squared errors of standardised targets back in the label's units (``acc`` items unchanged)."""
    return items * prep.y_std**2 if metric == "rmse" else items


def _probe(
    feats: dict[str, Tensor], prepared: PreparedTable, settings: ProbeSettings, seed: int
) -> np.ndarray:
    """Per-test-row scores of the downstream MLP: 1/0 correctness, or squared error (label units)."""
    prep, train, test = prepared.prep, prepared.splits["train"], prepared.splits["test"]
    assert train.y is not None and test.y is not None
    metric, _ = metric_name(prep)
    task = prep.schema.task or "classification"
    train_x, test_x = feats["train"], feats["test"]
    val = prepared.splits.get("val")
    if settings.select_epochs and val is not None and val.y is not None:
        best = early_stopped_mlp(
            (train_x, train.y), (feats["val"], val.y), (test_x, test.y),
            task=task, checkpoints=settings.select_epochs, lr=settings.lr,  # type: ignore[arg-type]
            weight_decay=settings.weight_decay, hidden=settings.hidden, seed=seed,
        )  # fmt: skip
        assert best.test_pred is not None
        return _label_units(item_scores(best.test_pred, test.y, task)[metric], metric, prep)  # type: ignore[arg-type]
    items = probe_items(
        train_x, train.y, test_x, test.y,
        task=task,  # type: ignore[arg-type]
        epochs=settings.epochs, lr=settings.lr, weight_decay=settings.weight_decay, seed=seed, hidden=settings.hidden,
    )  # fmt: skip
    return _label_units(items[metric], metric, prep)


def hist_gradient_boosting(prepared: PreparedTable, seed: int) -> np.ndarray:
    """scikit-learn's HistGradientBoosting on the encoded features (categoricals native): per-test-row
    1/0 correctness, or squared error in the label's units."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    prep, train, test = prepared.prep, prepared.splits["train"], prepared.splits["test"]
    assert train.y is not None and test.y is not None
    is_cat = [False] * train.x_num.shape[1] + [True] * train.x_cat.shape[1]
    classify = prep.schema.task == "classification"
    cls = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
    model = cls(categorical_features=np.array(is_cat, dtype=bool), random_state=seed, early_stopping=True)
    model.fit(train.raw_features().numpy(), train.y.numpy())
    pred = model.predict(test.raw_features().numpy())
    if classify:
        return (pred == test.y.numpy()).astype(np.float64)
    return (pred - test.y.numpy()).astype(np.float64) ** 2 * prep.y_std**2


class DownstreamFeatures:
    """Train / test features of the frozen encoder and of the raw table, computed once for many seeds.

    Args:
        embed: the frozen representation (the SSL module's ``embed``: flattened target-encoder output).
        prepared: labelled train and test splits.
        settings: downstream MLP settings.
        device: where the encoder runs and the downstream MLPs train.
    """

    def __init__(
        self,
        embed: Callable[[dict[str, Tensor]], Tensor],
        prepared: PreparedTable,
        settings: ProbeSettings | None = None,
        device: str | torch.device = "cpu",
    ) -> None:
        if prepared.task is None or "test" not in prepared.splits:
            raise ValueError("evaluation needs a labelled table with a test split")
        self.prepared, self.settings = prepared, settings or ProbeSettings()
        names = ["train", "test"]
        if self.settings.select_epochs and "val" in prepared.splits:
            names.append("val")
        splits = {name: prepared.splits[name] for name in names}
        cards = prepared.prep.cardinalities
        self.features = {
            "ssl": {name: embed_table(embed, table, device=device) for name, table in splits.items()},
            "raw": {name: raw_features(table, cards).to(device) for name, table in splits.items()},
        }

    def scores(self, seed: int) -> dict[str, float]:
        """Test metric of the MLP on T-JEPA features (``ssl``), on raw features (``raw``) and of ``hgb``."""
        reduce = ITEM_REDUCE[metric_name(self.prepared.prep)[0]]
        return {name: reduce(items) for name, items in self.items(seed).items()}

    def items(self, seed: int) -> dict[str, np.ndarray]:
        """Per-test-row scores (see :func:`_probe`) behind :meth:`scores`, same keys."""
        out = {
            name: _probe(feats, self.prepared, self.settings, seed) for name, feats in self.features.items()
        }
        out["hgb"] = hist_gradient_boosting(self.prepared, seed)
        return out


def compare(
    embed: Callable[[dict[str, Tensor]], Tensor],
    prepared: PreparedTable,
    *,
    seeds: Iterable[int] = (0, 1, 2),
    settings: ProbeSettings | None = None,
    max_train: int | None = None,
    device: str | torch.device = "cpu",
) -> list[ComparisonRow]:
    """Rows: MLP on T-JEPA features vs the same MLP on raw features, and vs HistGradientBoosting.

    Args:
        embed: the frozen representation.
        prepared: labelled train and test splits.
        seeds: downstream seeds: a paired t-interval over them, or with one seed a paired
            bootstrap over the test rows.
        settings: downstream MLP settings.
        max_train: use only the first ``max_train`` training rows (quick mode).
        device: where the encoder runs and the downstream MLPs train.
    """
    prepared = replace(
        prepared, splits={**prepared.splits, "train": prepared.splits["train"].head(max_train)}
    )
    feats = DownstreamFeatures(embed, prepared, settings, device)
    runs = [feats.items(int(seed)) for seed in seeds]
    metric, _ = metric_name(prepared.prep)
    extra = {
        "seeds": len(runs),
        "n_train": len(prepared.splits["train"]),
        "n_test": len(prepared.splits["test"]),
    }
    rows = []
    for key, baseline in (("raw", "same MLP on raw features"), ("hgb", "HistGradientBoosting")):
        ssl_items, base_items = [{metric: r["ssl"]} for r in runs], [{metric: r[key]} for r in runs]
        rows += paired_rows(prepared.name, ssl_items, base_items, extra={"baseline": baseline, **extra},
                            unit="test rows")  # fmt: skip
    return rows


def evaluate(module: SSLModule, data: PreparedTable, ctx: EvalContext) -> list[ComparisonRow]:
    """The run's comparison rows (:func:`compare` with the run's ``recipe_args`` probe settings).

    ``ctx.quick``: one seed, at most ``QUICK_EPOCHS`` MLP epochs and ``QUICK_MAX_TRAIN`` training
    rows; ``ctx.seeds`` replaces ``eval_seeds``.

    Raises:
        ConfigError: the table has no label or no test split (nothing to evaluate against).
    """
    args = TJEPAArgs(**ctx.config.recipe_args)
    if data.task is None or "test" not in data.splits:
        raise ConfigError(ctx.run_dir / "config.yaml", "recipe_args.target",
                          "the run's table has no label (or no test split): pretrain with --target to evaluate")  # fmt: skip
    epochs, every, max_train = args.probe_epochs, args.probe_select_every, args.eval_max_train
    if ctx.quick:
        epochs, every = min(epochs, QUICK_EPOCHS), min(every, QUICK_EPOCHS)
        max_train = min(max_train or QUICK_MAX_TRAIN, QUICK_MAX_TRAIN)
    settings = ProbeSettings(epochs=epochs, lr=args.probe_lr, hidden=args.probe_hidden,
                             select_epochs=select_epochs(epochs, every))  # fmt: skip
    seeds = ctx.timed(range(ctx.seeds or (1 if ctx.quick else args.eval_seeds)))  # prints the ETA when long
    module.eval()
    return compare(module.embed, data, seeds=seeds, settings=settings, max_train=max_train, device=ctx.device)
