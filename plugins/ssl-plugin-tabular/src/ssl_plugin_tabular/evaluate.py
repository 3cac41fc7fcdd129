"""T-JEPA's downstream protocol: an MLP on the frozen target encoder's flattened output vs raw features.

Thimonier et al. (ICLR 2025, arXiv 2410.05016), section 4: downstream models take the frozen target
encoder's full output ``(n_cls + D) x H``, flattened. The comparison is the *same* MLP on raw features
(MinMax numerics + one-hot categoricals), plus scikit-learn's HistGradientBoosting as the strong simple
baseline (the paper's gradient-boosting anchors are XGBoost / CatBoost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.evaluation import ComparisonRow, early_stopped_mlp, mlp_probe, over_seeds
from ssl_plugin_tabular.preprocess import EncodedTable, TablePreprocessor
from ssl_plugin_tabular.tables import PreparedTable


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


def _probe(feats: dict[str, Tensor], prepared: PreparedTable, settings: ProbeSettings, seed: int) -> float:
    prep, train, test = prepared.prep, prepared.splits["train"], prepared.splits["test"]
    assert train.y is not None and test.y is not None
    metric, _ = metric_name(prep)
    train_x, test_x = feats["train"], feats["test"]
    val = prepared.splits.get("val")
    if settings.select_epochs and val is not None and val.y is not None:
        best = early_stopped_mlp(
            (train_x, train.y), (feats["val"], val.y), (test_x, test.y),
            task=prep.schema.task or "classification", checkpoints=settings.select_epochs, lr=settings.lr,
            weight_decay=settings.weight_decay, hidden=settings.hidden, seed=seed,
        )  # fmt: skip
        return best.test * (prep.y_std if metric == "rmse" else 1.0)
    out = mlp_probe(
        train_x, train.y, test_x, test.y,
        task=prep.schema.task,  # type: ignore[arg-type]
        epochs=settings.epochs, lr=settings.lr, weight_decay=settings.weight_decay, seed=seed, hidden=settings.hidden,
    )  # fmt: skip
    return out[metric] * (prep.y_std if metric == "rmse" else 1.0)


def hist_gradient_boosting(prepared: PreparedTable, seed: int) -> float:
    """scikit-learn's HistGradientBoosting on the encoded features (categoricals native), test metric."""
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    prep, train, test = prepared.prep, prepared.splits["train"], prepared.splits["test"]
    assert train.y is not None and test.y is not None
    is_cat = [False] * train.x_num.shape[1] + [True] * train.x_cat.shape[1]
    cls = (
        HistGradientBoostingClassifier
        if prep.schema.task == "classification"
        else HistGradientBoostingRegressor
    )
    model = cls(categorical_features=np.array(is_cat, dtype=bool), random_state=seed, early_stopping=True)
    model.fit(train.raw_features().numpy(), train.y.numpy())
    pred = model.predict(test.raw_features().numpy())
    if prep.schema.task == "classification":
        return float(np.mean(pred == test.y.numpy()))
    return float(np.sqrt(np.mean((pred - test.y.numpy()) ** 2)) * prep.y_std)


def subset_train(prepared: PreparedTable, max_train: int | None) -> PreparedTable:
    """``prepared`` with only the first ``max_train`` training rows (all when ``None``)."""
    if max_train is None:
        return prepared
    train = prepared.splits["train"]
    y = None if train.y is None else train.y[:max_train]
    small = EncodedTable(train.x_num[:max_train], train.x_cat[:max_train], y)
    return PreparedTable(prepared.name, prepared.prep, {**prepared.splits, "train": small})


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
        out = {
            name: _probe(feats, self.prepared, self.settings, seed) for name, feats in self.features.items()
        }
        out["hgb"] = hist_gradient_boosting(self.prepared, seed)
        return out


def compare(
    embed: Callable[[dict[str, Tensor]], Tensor],
    prepared: PreparedTable,
    *,
    seeds: Sequence[int] = (0, 1, 2),
    settings: ProbeSettings | None = None,
    max_train: int | None = None,
    device: str | torch.device = "cpu",
) -> list[ComparisonRow]:
    """Rows: MLP on T-JEPA features vs the same MLP on raw features, and vs HistGradientBoosting.

    Args:
        embed: the frozen representation.
        prepared: labelled train and test splits.
        seeds: downstream seeds (mean and std over them).
        settings: downstream MLP settings.
        max_train: use only the first ``max_train`` training rows (quick mode).
        device: where the encoder runs and the downstream MLPs train.
    """
    prepared = subset_train(prepared, max_train)
    feats = DownstreamFeatures(embed, prepared, settings, device)
    stats = over_seeds(feats.scores, seeds)
    metric, higher = metric_name(prepared.prep)
    extra = {
        "seeds": len(list(seeds)),
        "n_train": len(prepared.splits["train"]),
        "n_test": len(prepared.splits["test"]),
    }
    return [
        ComparisonRow(
            prepared.name,
            metric,
            stats["ssl"],
            stats["raw"],
            higher,
            {"baseline": "same MLP on raw features", **extra},
        ),
        ComparisonRow(
            prepared.name,
            metric,
            stats["ssl"],
            stats["hgb"],
            higher,
            {"baseline": "HistGradientBoosting", **extra},
        ),
    ]
