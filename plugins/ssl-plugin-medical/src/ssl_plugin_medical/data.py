"""The run's data: uint8 images / volumes at ``size``, their splits, labels and training statistics.

:func:`build_data` reads the embedded BreastMNIST + AdrenalMNIST3D copies (``data=None``) or the
``--data`` path (:mod:`~ssl_plugin_medical.sources`), prepares every item on the model's grid
(:mod:`~ssl_plugin_medical.preprocess`) and fits the per-dimensionality mean / std of the training
intensities. ``extra_3d`` volumes join the 3D training items as crops (:mod:`~ssl_plugin_medical.crops`)
and their statistics, but no split: they pretrain only and are not stored. :class:`MedicalData` keeps its labelled splits (training split capped at
``eval_max_train``) and the statistics in the run's ``data.pt``: ``evaluate`` and ``embed`` work after
the files are gone. Only pixels travel: no header attribute is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor

from ssl_core.errors import DataError, warn_data
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.crops import extra_crops
from ssl_plugin_medical.encoders import KEYS
from ssl_plugin_medical.images import read_folder
from ssl_plugin_medical.medmnist import read_medmnist
from ssl_plugin_medical.preprocess import prepare, to_grid
from ssl_plugin_medical.sources import kind_of, read_scans

EMBEDDED = {2: "breastmnist.npz", 3: "adrenalmnist3d.npz"}


@dataclass
class Split:
    """Items ``(N, 1, *S)`` uint8 and labels ``(N,)`` int64 (``None``: unlabelled)."""

    x: Tensor
    y: Tensor | None = None

    def head(self, n: int | None) -> Split:
        """The first ``n`` items (all when ``None``)."""
        return self if n is None else Split(self.x[:n], None if self.y is None else self.y[:n])


#: A training set smaller than this is repeated up to it (a few scans, one series): every batch fits.
MIN_EPOCH = 256


class JointDataset(torch.utils.data.Dataset[Any]):
    """Item ``i``: the ``i``-th image and the ``i``-th volume (each modulo its count), served in batches.

    The length is the larger count, at least ``min_len`` (small inputs repeat; the augmentations and
    masks differ on every repeat).
    """

    def __init__(self, items: Mapping[int, Tensor], min_len: int = 1) -> None:
        self.items = {KEYS[d]: x for d, x in items.items()}
        self.n = max(min_len, *(len(x) for x in self.items.values()))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> dict[str, Tensor]:
        return {k: x[i % len(x)] for k, x in self.items.items()}

    def __getitems__(self, indices: Sequence[int]) -> dict[str, Tensor]:
        idx = torch.as_tensor(list(indices), dtype=torch.long)
        return {k: x.index_select(0, idx % len(x)) for k, x in self.items.items()}


@dataclass
class MedicalData:
    """The splits per dimensionality (``splits[split][ndim]``), the training statistics and the names."""

    name: str
    splits: dict[str, dict[int, Split]]
    stats: dict[int, tuple[float, float]]
    names: dict[int, str] = field(default_factory=dict)
    keep_train: int | None = None
    train: torch.utils.data.Dataset[Any] | None = None

    @property
    def dims(self) -> tuple[int, ...]:
        """The dimensionalities present in the training split."""
        return tuple(sorted(self.splits["train"]))

    def labelled(self, ndim: int) -> bool:
        """Whether ``ndim`` has labelled train and test splits."""
        s = self.splits
        return ndim in s.get("test", {}) and s["train"][ndim].y is not None and s["test"][ndim].y is not None

    def state_dict(self) -> dict[str, Any]:
        """Statistics, names and the splits (uint8; the training split capped at ``keep_train``)."""
        splits = {}
        for split, parts in self.splits.items():
            for d, part in parts.items():
                part = part.head(self.keep_train) if split == "train" else part
                splits[f"{split}/{d}"] = {"x": part.x, **({} if part.y is None else {"y": part.y})}
        return {"name": self.name, "splits": splits, "names": {str(d): n for d, n in self.names.items()},
                "stats": {str(d): torch.tensor(s, dtype=torch.float64) for d, s in self.stats.items()}}  # fmt: skip


def fit_stats(x: Tensor) -> tuple[float, float]:
    """Mean and std of the ``[0, 1]`` intensities of uint8 items (float64; std floored at 1e-3)."""
    v = x.double() / 255.0
    return float(v.mean()), max(float(v.std()), 1e-3)


def _grid(x: np.ndarray, size: int) -> Tensor:
    """``(N, *S)`` uint8 -> ``(N, 1, size, ...)`` uint8 (resized only when needed)."""
    t = torch.from_numpy(np.ascontiguousarray(x))[:, None]
    if tuple(t.shape[2:]) == (size,) * (t.dim() - 2):
        return t
    return torch.stack([to_grid(a.astype(np.float32) / 255.0, size) for a in x])


def _split_off(x: Tensor, y: Tensor | None, fraction: float, seed: int) -> dict[str, Split]:
    if y is None or fraction <= 0 or len(x) < 4:
        return {"train": Split(x, y)}
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    n_test = max(1, round(fraction * len(x)))
    test, train = perm[:n_test], perm[n_test:]
    return {"train": Split(x[train], y[train]), "test": Split(x[test], y[test])}


def _medmnist(path: Path, size: int) -> tuple[int, dict[str, Split]]:
    ndim, raw = read_medmnist(path)
    return ndim, {
        s: Split(_grid(x, size), None if y is None else torch.from_numpy(y)) for s, (x, y) in raw.items()
    }


def read_source(args: Uni4EyeArgs) -> tuple[str, dict[int, dict[str, Split]], dict[int, str]]:
    """``(name, {ndim: {split: Split}}, {ndim: source name})`` of ``args.data`` (or the embedded copies)."""
    if args.data is None:
        wanted = {"auto": (2, 3), "2d+3d": (2, 3), "2d": (2,), "3d": (3,)}[args.dims]
        parts, names = {}, {}
        for d in wanted:
            with resources.as_file(resources.files("ssl_plugin_medical") / "assets" / EMBEDDED[d]) as p:
                ndim, parts[d] = _medmnist(p, args.size)
            names[d] = EMBEDDED[d].removesuffix(".npz")
        return "+".join(names.values()), parts, names
    path = Path(args.data)
    kind = kind_of(path)
    if kind == "medmnist":
        ndim, splits = _medmnist(path, args.size)
        return path.stem, {ndim: splits}, {ndim: path.stem}
    if kind == "images":
        arrays, _, ys = read_folder(path, Path(args.labels) if args.labels else None)
        x = torch.stack([to_grid(a.astype(np.float32) / 255.0, args.size) for a in arrays])
        y = None if ys is None else torch.from_numpy(ys)
        return path.name, {2: _split_off(x, y, args.test_fraction, args.split_seed)}, {2: path.name}
    scans = read_scans(path)
    ndims = {s.ndim for s in scans}
    items = {
        d: torch.stack([prepare(s, args.size, args.window) for s in scans if s.ndim == d]) for d in ndims
    }
    return path.name, {d: {"train": Split(x)} for d, x in items.items()}, {d: path.name for d in ndims}


def _with_extra_3d(args: Uni4EyeArgs, train: dict[int, Tensor]) -> Tensor:
    """The 3D training items followed by the crops of ``args.extra_3d`` (pretraining only: no split holds them)."""
    if 3 not in train:
        raise DataError(args.data or "<embedded>", "extra_3d", "the run has no 3D training data to add volumes to "
                        "(use dims 3d / 2d+3d or a 3D --data)")  # fmt: skip
    crops, _ = extra_crops(args.extra_3d, args.size, args.extra_3d_spacing, args.window,
                           args.extra_3d_min_foreground)  # fmt: skip
    return torch.cat([train[3], crops])


def build_data(args: Uni4EyeArgs) -> MedicalData:
    """Read, prepare and fit (the recipe's data phase)."""
    name, parts, names = read_source(args)
    splits: dict[str, dict[int, Split]] = {}
    for d, per_split in parts.items():
        for split, part in per_split.items():
            splits.setdefault(split, {})[d] = part
    if "train" not in splits:
        raise DataError(args.data or name, "train", "no training items")
    train = {d: s.x[: args.max_items] for d, s in splits["train"].items()}
    if args.extra_3d:
        train[3] = _with_extra_3d(args, train)
    stats = {d: fit_stats(x) for d, x in train.items()}
    n = max(len(x) for x in train.values())
    if n < MIN_EPOCH:
        warn_data(
            args.data or name, "<items>", f"only {n} training item(s): each epoch repeats them to {MIN_EPOCH}"
        )
    return MedicalData(name, splits, stats, names, args.eval_max_train, JointDataset(train, MIN_EPOCH))


def restore_data(args: Uni4EyeArgs, state: Mapping[str, Any]) -> MedicalData:
    """The data of a finished run from its ``data.pt`` state (no file is read)."""
    splits: dict[str, dict[int, Split]] = {}
    for key, part in state["splits"].items():
        split, d = key.split("/")
        splits.setdefault(split, {})[int(d)] = Split(part["x"], part.get("y"))
    stats = {int(d): (float(s[0]), float(s[1])) for d, s in state["stats"].items()}
    names = {int(d): str(n) for d, n in state.get("names", {}).items()}
    return MedicalData(str(state["name"]), splits, stats, names, args.eval_max_train)


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    """``embed``'s INPUT on the run's grid: a DICOM file / series, NIfTI, npz (its test split) or image folder."""
    args = Uni4EyeArgs(**run.config.recipe_args)
    dims = run.recipe.data.dims
    if kind_of(path) == "medmnist":
        ndim, splits = _medmnist(path, args.size)
        x = (splits.get("test") or splits["train"]).x
    else:
        scans = read_scans(path)
        ndim = scans[0].ndim
        x = torch.stack([prepare(s, args.size, args.window) for s in scans if s.ndim == ndim])
    if ndim not in dims:
        raise DataError(path, "<data>", f"{ndim}D input, but the run was trained on {dims}D data only")
    return {KEYS[ndim]: x}
