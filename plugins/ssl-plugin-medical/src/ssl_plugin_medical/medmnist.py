"""MedMNIST ``.npz`` files (Yang et al., "MedMNIST v2", Scientific Data 2023): 2D and 3D.

Keys ``{train,val,test}_images`` (uint8: ``(N, H, W)``, ``(N, H, W, 3)`` or ``(N, D, H, W)``) and
``{split}_labels`` (``(N,)`` or ``(N, 1)``). Read with ``allow_pickle=False``; RGB is converted to
luminance. Multi-label / multi-column labels keep their first column.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError

SPLITS = ("train", "val", "test")


def read_medmnist(path: Path) -> tuple[int, dict[str, tuple[np.ndarray, np.ndarray | None]]]:
    """``(ndim, {split: (images uint8 (N, *S), labels int64 (N,) or None)})`` of a MedMNIST npz."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k]) for k in npz.files}
    except (OSError, EOFError, ValueError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise DataError(path, "<file>", f"not a readable .npz (truncated or corrupt?): {reason}") from None
    if "train_images" not in arrays:
        raise DataError(path, "train_images", f"missing (keys: {', '.join(sorted(arrays)) or 'none'})")
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
    ndim = None
    for split in SPLITS:
        key = f"{split}_images"
        if key not in arrays:
            continue
        x = arrays[key]
        if x.dtype != np.uint8:
            raise DataError(path, key, f"expected uint8 pixels, got {x.dtype}")
        if x.ndim == 4 and x.shape[-1] == 3:
            x = (
                (x.astype(np.float32) @ np.array([0.299, 0.587, 0.114], dtype=np.float32))
                .round()
                .astype(np.uint8)
            )
        if x.ndim not in (3, 4) or len(x) == 0:
            raise DataError(path, key, f"expected (N, H, W) images or (N, D, H, W) volumes, got {x.shape}")
        if ndim is not None and x.ndim - 1 != ndim:
            raise DataError(path, key, f"{x.ndim - 1}D items, but train_images holds {ndim}D items")
        ndim = x.ndim - 1
        out[split] = (x, _labels(path, arrays, split, len(x)))
    assert ndim is not None
    return ndim, out


def _labels(path: Path, arrays: dict[str, np.ndarray], split: str, n: int) -> np.ndarray | None:
    key = f"{split}_labels"
    if key not in arrays:
        return None
    y = arrays[key]
    if y.ndim == 2:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != n:
        raise DataError(path, key, f"expected {n} labels, got shape {arrays[key].shape}")
    if not np.issubdtype(y.dtype, np.integer) or (len(y) and y.min() < 0):
        raise DataError(path, key, f"labels must be non-negative integers, got {y.dtype}")
    return y.astype(np.int64)
