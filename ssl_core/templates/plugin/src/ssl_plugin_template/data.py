"""The template's data: synthetic clusters or an ``.npz`` of features, standardised on the training split.

The fitted standardisation (mean, std) and the evaluation split are the run's data state
(``state_dict``): ``evaluate`` and ``embed`` use them after the input file is gone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_plugin_template.config import TemplateArgs


@dataclass
class TemplateData:
    """Standardised features: ``train`` (unlabelled) and ``eval`` (with ``label``), plus the scaler."""

    mean: Tensor
    std: Tensor
    eval_x: Tensor
    eval_y: Tensor
    train: TensorDictDataset | None = None
    label_key: str = "label"

    @property
    def eval(self) -> TensorDictDataset:
        """The held-out split with labels (what the online probe and ``evaluate`` read)."""
        return TensorDictDataset({"x": self.eval_x, "label": self.eval_y})

    def standardise(self, x: Tensor) -> Tensor:
        """``x`` scaled with the statistics fitted on the training split."""
        return (x - self.mean) / self.std

    def state_dict(self) -> dict[str, Any]:
        """The fitted scaler and the evaluation split (kept in the run directory)."""
        return {"mean": self.mean, "std": self.std, "eval_x": self.eval_x, "eval_y": self.eval_y}


def synthetic_clusters(n: int, dim: int, n_classes: int, seed: int) -> tuple[Tensor, Tensor]:
    """``(x, label)``: ``n`` points of Gaussian clusters around ``n_classes`` random centres."""
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randn(n_classes, dim, generator=gen) * 2.0
    label = torch.randint(0, n_classes, (n,), generator=gen)
    return centres[label] + torch.randn(n, dim, generator=gen), label


def read_features(path: Path, dim: int | None = None) -> tuple[Tensor, Tensor | None]:
    """``x`` (and ``label`` if present) of an ``.npz``, or ``x`` of an ``.npy``, validated."""
    try:
        loaded = np.load(path, allow_pickle=False)
        arrays = dict(loaded) if isinstance(loaded, np.lib.npyio.NpzFile) else {"x": loaded}
    except (OSError, ValueError) as exc:
        raise DataError(path, "<file>", f"not a readable .npy/.npz file: {exc}") from None
    if "x" not in arrays:
        raise DataError(path, "x", f"missing array 'x' (found: {', '.join(arrays) or 'none'})")
    x = arrays["x"]
    if x.ndim != 2 or len(x) == 0 or (dim is not None and x.shape[1] != dim):
        raise DataError(path, "x", f"expected shape (N, {dim or 'F'}) with N > 0, got {x.shape}")
    if not np.issubdtype(x.dtype, np.floating) or not np.isfinite(x).all():
        raise DataError(path, "x", "expected finite floating-point values")
    label = arrays.get("label")
    if label is not None and (label.shape != (len(x),) or not np.issubdtype(label.dtype, np.integer)):
        raise DataError(path, "label", f"expected ({len(x)},) integers, got {label.dtype} {label.shape}")
    return torch.from_numpy(x.astype(np.float32)), None if label is None else torch.from_numpy(
        label.astype(np.int64)
    )


def build_data(args: TemplateArgs) -> TemplateData:
    """Read (or make) the samples, split them, fit the standardisation on the training split."""
    if args.data is None:
        x, y = synthetic_clusters(args.n_samples, args.dim, args.n_classes, args.data_seed)
    else:
        x, label = read_features(Path(args.data), args.dim)
        y = label if label is not None else torch.zeros(len(x), dtype=torch.int64)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(args.data_seed))
    n_eval = max(1, int(round(args.eval_fraction * len(x))))
    if len(x) - n_eval < 2:
        raise DataError(args.data or "<synthetic>", "x", f"{len(x)} samples leave no training split")
    tr, ev = perm[n_eval:], perm[:n_eval]
    mean, std = x[tr].mean(0), x[tr].std(0).clamp_min(1e-6)
    data = TemplateData(mean, std, x[ev], y[ev])
    data.train = TensorDictDataset({"x": data.standardise(x[tr])})
    data.eval_x = data.standardise(x[ev])
    return data


def restore_data(args: TemplateArgs, state: Mapping[str, Any]) -> TemplateData:
    """The data object of a finished run, from its saved state (no file is read)."""
    return TemplateData(state["mean"], state["std"], state["eval_x"], state["eval_y"])


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT: an ``(N, dim)`` ``.npy``/``.npz``, standardised with the run's scaler."""
    data: TemplateData = run.recipe.data
    x, _ = read_features(path, int(data.mean.numel()))
    return {"x": data.standardise(x)}
