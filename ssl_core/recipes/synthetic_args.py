"""Arguments of the ``core/synthetic`` recipe (a light module: no torch import)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ssl_core.schema import FieldValueError

__all__ = ["SyntheticArgs"]


@dataclass
class SyntheticArgs:
    """``recipe_args`` of ``core/synthetic``.

    Attributes:
        n_train, n_eval: samples in the (unlabelled) training set and the labelled evaluation set.
        dim: feature dimension.
        n_clusters: Gaussian clusters (unit covariance) around centres drawn from ``N(0, separation^2)``.
        n_classes: evaluation classes; cluster ``c`` belongs to class ``c % n_classes``, so with
            fewer classes than clusters a class is a union of clusters (not linearly separable).
        separation: scale of the cluster centres.
        mask_ratio: share of features zeroed independently in each of the two views.
        objective: ``vicreg`` or ``ntxent``.
        temperature: NT-Xent temperature.
        hidden, embed_dim, proj_dim: encoder hidden width, representation and projector widths.
        data_seed: seed of the centres and samples.
    """

    n_train: int = 4096
    n_eval: int = 1024
    dim: int = 16
    n_clusters: int = 16
    n_classes: int = 4
    separation: float = 1.25
    mask_ratio: float = 0.25
    objective: Literal["vicreg", "ntxent"] = "vicreg"
    temperature: float = 0.2
    hidden: int = 128
    embed_dim: int = 64
    proj_dim: int = 128
    data_seed: int = 0

    def __post_init__(self) -> None:
        for name in (
            "n_train",
            "n_eval",
            "dim",
            "n_clusters",
            "n_classes",
            "hidden",
            "embed_dim",
            "proj_dim",
        ):
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        if self.n_classes > self.n_clusters:
            raise FieldValueError(
                "n_classes", f"must be <= n_clusters ({self.n_clusters}), got {self.n_classes}"
            )
        if not (math.isfinite(self.mask_ratio) and 0.0 <= self.mask_ratio < 1.0):
            raise FieldValueError("mask_ratio", f"must be >= 0 and < 1, got {self.mask_ratio}")
        for name in ("temperature", "separation"):
            if not (math.isfinite(getattr(self, name)) and getattr(self, name) > 0):
                raise FieldValueError(name, f"must be a finite number > 0, got {getattr(self, name)}")
