"""T-JEPA's preprocessing: MinMax for numeric columns, label encoding for categorical ones, fitted on train.

Thimonier et al. (ICLR 2025, arXiv 2410.05016), section 4: numeric features are MinMax-scaled and
categorical features label-encoded. Handling of awkward cells (documented in the plugin README):

* a missing numeric cell is filled with the column's training mean (before scaling);
* a missing categorical cell is its own category ``"<missing>"`` when training had missing cells;
* a category never seen in training (or a missing cell when training had none) maps to the reserved
  index 0 (``"<unseen>"``); ``strict=True`` makes it a :class:`DataError` instead;
* a constant numeric column (max == min in training) scales to 0 everywhere; a constant column of
  either kind is named in a one-line ``warning:`` on stderr (it carries no information).

The fitted state (:meth:`TablePreprocessor.to_state`) is plain numbers, strings and lists, so it is
kept in the run's ``data.pt`` (``torch.load(weights_only=True)``) and restored exactly.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.errors import DataError, warn_data
from ssl_plugin_tabular.schema import RawTable, TableSchema

UNSEEN = "<unseen>"
MISSING = "<missing>"


@dataclass
class EncodedTable:
    """A table as tensors: ``x_num`` float32 ``(N, n_num)``, ``x_cat`` int64 ``(N, n_cat)``, ``y`` or ``None``."""

    x_num: Tensor
    x_cat: Tensor
    y: Tensor | None = None
    n_unseen: int = 0

    def __len__(self) -> int:
        return int(self.x_num.shape[0])

    def tensors(self) -> dict[str, Tensor]:
        """The batch dict (``x_num``, ``x_cat`` and ``y`` when labelled) for a dataset."""
        out = {"x_num": self.x_num, "x_cat": self.x_cat}
        if self.y is not None:
            out["y"] = self.y
        return out

    def to_state(self) -> dict[str, Any]:
        """The tensors (and unseen count) as a ``weights_only``-loadable dict."""
        return {**self.tensors(), "n_unseen": self.n_unseen}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EncodedTable:
        """Inverse of :meth:`to_state`."""
        return cls(state["x_num"], state["x_cat"], state.get("y"), int(state.get("n_unseen", 0)))

    def head(self, n: int | None) -> EncodedTable:
        """The first ``n`` rows (all when ``None``), copied: a saved view would save the whole storage."""
        if n is None:
            return self
        y = None if self.y is None else self.y[:n].clone()
        return EncodedTable(self.x_num[:n].clone(), self.x_cat[:n].clone(), y)

    def raw_features(self) -> Tensor:
        """``(N, n_num + n_cat)`` float features (scaled numerics, category indices) for baselines."""
        return torch.cat([self.x_num, self.x_cat.float()], dim=1)


@dataclass
class TablePreprocessor:
    """Fitted MinMax / label encoders of one schema (fit on the training split only).

    Attributes:
        schema: column roles.
        num_min, num_max, num_fill: per numeric column training min, max and mean.
        categories: per categorical column the training categories; index ``i + 1`` is ``categories[i]``,
            index 0 is reserved for unseen values.
        classes: training label classes (classification).
        y_mean, y_std: training label mean and std (regression; models fit the standardised label).
    """

    schema: TableSchema
    num_min: list[float] = field(default_factory=list)
    num_max: list[float] = field(default_factory=list)
    num_fill: list[float] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    classes: list[str] | None = None
    y_mean: float = 0.0
    y_std: float = 1.0

    @classmethod
    def fit(cls, schema: TableSchema, train: RawTable) -> TablePreprocessor:
        """Fit scalers and encoders on ``train`` (already parsed by :func:`infer_schema`)."""
        prep = cls(schema)
        for name in schema.numeric:
            col = train.columns[name]
            if np.isnan(col).all():
                raise DataError(train.source, name, "all values are missing in the training split")
            lo, hi = float(np.nanmin(col)), float(np.nanmax(col))
            if hi == lo:
                warn_data(
                    train.source, name, f"constant column (every training value is {lo:g}); it scales to 0"
                )
            prep.num_min.append(lo)
            prep.num_max.append(hi)
            prep.num_fill.append(float(np.nanmean(col)))
        for name in schema.categorical:
            seen = {MISSING if v is None else str(v) for v in train.columns[name]}
            if len(seen) == 1:
                warn_data(
                    train.source, name, f"constant column (every training value is {next(iter(seen))!r})"
                )
            prep.categories[name] = sorted(seen)
        if schema.target is not None:
            y = train.columns[schema.target]
            if schema.task == "classification":
                prep.classes = sorted({str(v) for v in y})
            else:
                prep.y_mean, prep.y_std = float(np.mean(y)), float(np.std(y)) or 1.0
        return prep

    @property
    def cardinalities(self) -> list[int]:
        """Number of embedding rows per categorical column (training categories + the unseen index)."""
        return [len(self.categories[c]) + 1 for c in self.schema.categorical]

    @property
    def n_classes(self) -> int:
        """Number of label classes (1 for regression)."""
        return len(self.classes) if self.classes is not None else 1

    def transform(self, table: RawTable, *, strict: bool = False, labels: bool = True) -> EncodedTable:
        """Encode ``table`` (parsed with the same schema) to tensors.

        Args:
            table: the table to encode.
            strict: raise on categories unseen in training instead of mapping them to index 0.
            labels: encode the target column when the schema has one (it must then be present).
        """
        x_num = np.zeros((table.n_rows, len(self.schema.numeric)), dtype=np.float32)
        for j, name in enumerate(self.schema.numeric):
            col = np.where(np.isnan(table.columns[name]), self.num_fill[j], table.columns[name])
            span = self.num_max[j] - self.num_min[j]
            x_num[:, j] = (col - self.num_min[j]) / span if span > 0 else 0.0
        x_cat = np.zeros((table.n_rows, len(self.schema.categorical)), dtype=np.int64)
        n_unseen = 0
        for j, name in enumerate(self.schema.categorical):
            x_cat[:, j], unseen = self._encode_categories(table, name, strict)
            n_unseen += unseen
        if n_unseen:
            warnings.warn(
                f"{table.source}: {n_unseen} categorical cells unseen in training -> index 0", stacklevel=2
            )
        y = self._encode_labels(table) if labels and self.schema.target is not None else None
        return EncodedTable(torch.from_numpy(x_num), torch.from_numpy(x_cat), y, n_unseen)

    def _encode_categories(self, table: RawTable, name: str, strict: bool) -> tuple[np.ndarray, int]:
        index = {c: i + 1 for i, c in enumerate(self.categories[name])}
        values = [MISSING if v is None else str(v) for v in table.columns[name]]
        codes = np.fromiter((index.get(v, 0) for v in values), dtype=np.int64, count=len(values))
        unseen = np.flatnonzero(codes == 0)
        if strict and unseen.size:
            row = int(unseen[0])
            raise DataError(
                table.source, name, f"{table.locate(row)}: category {values[row]!r} was not seen in training"
            )
        return codes, int(unseen.size)

    def _encode_labels(self, table: RawTable) -> Tensor:
        target = self.schema.target
        assert target is not None
        if target not in table.columns:
            raise DataError(table.source, target, "target column not found")
        y = table.columns[target]
        if self.classes is None:
            return torch.from_numpy(
                ((np.asarray(y, dtype=np.float64) - self.y_mean) / self.y_std).astype(np.float32)
            )
        index = {c: i for i, c in enumerate(self.classes)}
        codes = [index.get(str(v), -1) for v in y]
        if -1 in codes:
            row = codes.index(-1)
            raise DataError(
                table.source, target, f"{table.locate(row)}: label {y[row]!r} was not seen in training"
            )
        return torch.tensor(codes, dtype=torch.int64)

    def to_state(self) -> dict[str, Any]:
        """The fitted state as plain data (JSON- and ``torch.load(weights_only=True)``-safe)."""
        return asdict(self)

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TablePreprocessor:
        """Inverse of :meth:`to_state`."""
        fields = dict(state)
        fields["schema"] = TableSchema(**fields["schema"])
        return cls(**fields)
