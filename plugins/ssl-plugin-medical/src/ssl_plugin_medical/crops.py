"""Extra unlabelled 3D training items: volumes resampled to one isotropic spacing, cut into ``size^3`` crops.

``--data scan`` (and the Uni4Eye++ code, ``octa500.py``) feeds a volume whole: cropped to its non-zero
box and resized to ``size^3`` (:func:`~ssl_plugin_medical.preprocess.to_grid`), one item per scan. That
suits a data set of whole scans. ``recipe_args.extra_3d`` instead adds DICOM series / NIfTI volumes *next
to* the 3D training items (e.g. AdrenalMNIST3D's 28^3 organ crops), where one squashed item per scan would
distort the anatomy (a 500 x 500 x 40 mm CT slab resized to 28^3: 18x in-plane against 1.4x across
slices) and add a handful of items. Here each volume becomes many items of one physical scale:

* intensities: :func:`~ssl_plugin_medical.preprocess.to_unit` (CT window / percentiles) on the whole
  volume, before cutting (every crop of a scan shares its scale);
* resampled (trilinear) to ``spacing`` mm on every axis (a scan without spacing: its voxels are taken
  as ``spacing`` mm, i.e. not resampled);
* cut on a regular grid of non-overlapping crops, centred (what does not fill a crop is split evenly
  between both ends of each axis); no random crops, so the items are fixed and seed-independent;
* a crop is kept when at least ``min_foreground`` of its voxels are at >= 10% of the intensity range
  (air / background crops are dropped);
* stored as uint8, like every other item.

Only pixels travel: :func:`~ssl_plugin_medical.sources.read_scans` returns no header attribute.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ssl_core.errors import DataError, warn_data
from ssl_plugin_medical.geometry import Scan
from ssl_plugin_medical.preprocess import to_unit
from ssl_plugin_medical.sources import kind_of, read_scans

#: Intensity (of ``[0, 1]``) from which a voxel counts as foreground.
FOREGROUND = 0.1


def isotropic(unit: np.ndarray, spacing: Sequence[float] | None, target: float) -> torch.Tensor:
    """A ``[0, 1]`` volume resampled (trilinear) to ``target`` mm per voxel on every axis (float32)."""
    x = torch.from_numpy(np.ascontiguousarray(unit, dtype=np.float32))
    if spacing is None:
        return x
    shape = [max(1, round(n * s / target)) for n, s in zip(unit.shape, spacing)]
    if list(x.shape) == shape:
        return x
    return F.interpolate(x[None, None], size=shape, mode="trilinear", align_corners=False)[0, 0]


def grid_crops(vol: torch.Tensor, size: int) -> torch.Tensor:
    """The ``(N, size, size, size)`` non-overlapping crops of a regular grid centred in ``vol`` (row-major)."""
    counts = [n // size for n in vol.shape]
    if min(counts) == 0:
        return vol.new_zeros((0, size, size, size))
    start = [(n - c * size) // 2 for n, c in zip(vol.shape, counts)]
    v = vol[tuple(slice(s, s + c * size) for s, c in zip(start, counts))]
    a, b, c = counts
    return v.reshape(a, size, b, size, c, size).permute(0, 2, 4, 1, 3, 5).reshape(-1, size, size, size)


def volume_crops(
    scan: Scan, size: int, spacing: float = 1.4, window: str = "auto", min_foreground: float = 0.25
) -> torch.Tensor:
    """The kept ``(N, 1, size, size, size)`` uint8 crops of one volume (see the module docstring)."""
    if scan.ndim != 3:
        raise ValueError(f"volume_crops needs a volume, got a {scan.ndim}D array")
    crops = grid_crops(isotropic(to_unit(scan, window), scan.spacing, spacing), size)
    keep = (crops >= FOREGROUND).flatten(1).float().mean(1) >= min_foreground
    return (crops[keep, None] * 255.0).round().clamp(0, 255).to(torch.uint8)


def extra_crops(
    paths: Sequence[str | Path], size: int, spacing: float, window: str, min_foreground: float
) -> tuple[torch.Tensor, dict[str, int]]:
    """The crops of every volume of ``paths`` (DICOM series / file, NIfTI) and the count per path name.

    Raises:
        DataError: a path is not a volume (a 2D image, a MedMNIST npz, an image folder) or unreadable.
    """
    parts, counts = [], {}
    for p in map(Path, paths):
        if kind_of(p) in ("medmnist", "images"):
            raise DataError(p, "extra_3d", "not a volume: give DICOM series / files or NIfTI volumes")
        vols = [s for s in read_scans(p) if s.ndim == 3]
        if not vols:
            raise DataError(p, "extra_3d", "a 2D image, not a volume")
        got = [volume_crops(v, size, spacing, window, min_foreground) for v in vols]
        counts[p.name] = sum(len(g) for g in got)
        if counts[p.name] == 0:
            warn_data(p, "extra_3d", f"no {size}^3 crop at {spacing:g} mm with enough foreground")
        parts.extend(got)
    empty = torch.zeros((0, 1, size, size, size), dtype=torch.uint8)
    return (torch.cat(parts) if parts else empty), counts
