"""Arguments of the ``core/synthetic`` recipe (a light module: no torch import)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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
