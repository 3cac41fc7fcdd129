"""Complementary feature-subset masking (Yao et al., "Self-supervised Learning for Large-scale Item
Recommendations", CIKM 2021).

The features (axis 1 of ``batch[key]``) are split into complementary halves F_A and F_B; view
``"view_a"`` masks F_A (keeps F_B) and view ``"view_b"`` masks F_B (keeps F_A).

* RFM (random feature masking): a uniformly random half per sample.
* CFM (correlated feature masking): per batch, pick a seed feature uniformly and mask it together
  with the ``n/2 - 1`` features with the highest mutual information with it, so correlated
  features do not leak across the two views. The MI matrix is computed offline from categorical
  codes with :func:`mutual_information_matrix`.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.masks import random_mask
from ssl_core.views.utils import apply_mask, batch_device, get_tensor


def mutual_information_matrix(codes: Tensor) -> Tensor:
    """Pairwise mutual information (nats, float64) of the categorical columns of ``codes`` (N, n).

    ``MI(i, j) = sum_{u,v} p(u, v) log(p(u, v) / (p(u) p(v)))`` from empirical joint counts; the
    diagonal is each column's entropy.

    Raises:
        ValueError: ``codes`` is not a 2-d integer tensor of non-negative codes.
    """
    if codes.ndim != 2 or codes.is_floating_point():
        raise ValueError(f"codes must be a (N, n) integer tensor, got {codes.dtype} {tuple(codes.shape)}")
    codes = codes.long().cpu()
    if len(codes) == 0:
        raise ValueError("codes: no rows")
    bad = (codes < 0).any(0).nonzero().flatten()
    if len(bad):
        raise ValueError(f"codes[:, {int(bad[0])}]: negative category code")
    n_rows, n = codes.shape
    card = (codes.max(0).values + 1).tolist()
    mi = torch.zeros(n, n, dtype=torch.float64)
    for i in range(n):
        for j in range(i, n):
            joint = torch.bincount(codes[:, i] * card[j] + codes[:, j], minlength=card[i] * card[j])
            p = joint.reshape(card[i], card[j]).double() / n_rows
            outer = p.sum(1, keepdim=True) * p.sum(0, keepdim=True)
            nz = p > 0
            mi[i, j] = mi[j, i] = (p[nz] * (p[nz] / outer[nz]).log()).sum()
    return mi


class FeatureSubsetView(ViewGenerator):
    """Two views with complementary halves of the features masked (RFM or CFM).

    Args:
        key: ``(B, n, ...)`` features along axis 1.
        mode: ``"random"`` (RFM) or ``"correlated"`` (CFM, needs ``mi``).
        mi: ``(n, n)`` mutual-information matrix for CFM.
        fill: value written at masked features (a float, or a ``(n,)`` tensor of per-feature defaults).
    """

    view_names = ("view_a", "view_b")

    def __init__(
        self,
        key: str = "x",
        mode: Literal["random", "correlated"] = "random",
        *,
        mi: Tensor | None = None,
        fill: float | Tensor = 0.0,
    ) -> None:
        if mode not in ("random", "correlated"):
            raise ValueError(f"FeatureSubsetView: mode must be random or correlated, got {mode!r}")
        if mode == "correlated" and (mi is None or mi.ndim != 2 or mi.shape[0] != mi.shape[1]):
            raise ValueError("FeatureSubsetView: correlated mode needs a square (n, n) mi matrix")
        self.key, self.mode, self.mi, self.fill = key, mode, mi, fill

    def sample_mask(self, batch: Batch, generator: torch.Generator | None = None) -> Tensor:
        """``(B, n)`` mask of F_A (True = masked in view ``"view_a"``)."""
        x = get_tensor(batch, self.key, "FeatureSubsetView")
        b, n, dev = x.shape[0], x.shape[1], batch_device(batch)
        if self.mode == "random":
            return random_mask(b, n, 0.5, generator=generator, device=dev)
        assert self.mi is not None
        if self.mi.shape[0] != n:
            raise ValueError(
                f"FeatureSubsetView: mi is {tuple(self.mi.shape)} but {self.key!r} has {n} features"
            )
        seed = torch.randint(n, (1,), generator=generator, device=dev)
        scores = self.mi.to(dev, torch.float64)[seed].clone()
        scores[0, seed] = float("inf")
        chosen = scores.argsort(dim=1, descending=True, stable=True)[:, : max(1, n // 2)]
        mask = torch.zeros(1, n, dtype=torch.bool, device=dev).scatter(1, chosen, True)
        return mask.expand(b, n)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        mask = self.sample_mask(batch, generator)
        x = batch[self.key]
        fill = self.fill.to(x.device) if isinstance(self.fill, Tensor) else self.fill
        if isinstance(fill, Tensor):
            fill = fill.reshape(1, -1, *([1] * (x.ndim - 2)))
        return {
            "view_a": {**batch, self.key: apply_mask(x, mask, 1, fill), "mask": mask},
            "view_b": {**batch, self.key: apply_mask(x, ~mask, 1, fill), "mask": ~mask},
        }
