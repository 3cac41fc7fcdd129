"""From a :class:`~ssl_plugin_medical.geometry.Scan` in physical units to the model's uint8 grid.

* Intensities to ``[0, 1]``: CT through a window preset (level / width in HU); other modalities
  between the 0.5th and 99.5th percentiles; 8-bit data (MedMNIST, PNG / JPEG) divided by 255.
* 3D (Uni4Eye++ code, ``octa500.py``): crop to the bounding box of the non-zero voxels, then
  resize to ``size ** 3`` (trilinear); 2D: resize to ``size x size`` (bilinear).
* Stored as uint8 (0-255), the precision of the paper's 8-bit inputs; the model normalises with the
  training statistics (kept with the run).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ssl_plugin_medical.geometry import Scan

#: CT window presets: ``name -> (level, width)`` in HU.
WINDOWS: dict[str, tuple[float, float]] = {
    "soft-tissue": (40.0, 400.0),
    "abdomen": (50.0, 350.0),
    "lung": (-600.0, 1500.0),
    "bone": (400.0, 1800.0),
    "brain": (40.0, 80.0),
}
WINDOW_CHOICES = ("auto", "percentile", *WINDOWS)


def to_unit(scan: Scan, window: str = "auto") -> np.ndarray:
    """Intensities in ``[0, 1]`` (float32): a CT window (``auto`` = soft-tissue for CT) or percentiles."""
    a = scan.array.astype(np.float32)
    if scan.array.dtype == np.uint8 and window == "auto":
        return a / 255.0
    name = "soft-tissue" if window == "auto" and scan.modality == "CT" else window
    if name in WINDOWS:
        level, width = WINDOWS[name]
        low, high = level - width / 2, level + width / 2
    else:
        low, high = (float(v) for v in np.percentile(a, [0.5, 99.5]))
    if high <= low:
        return np.zeros_like(a)
    return np.clip((a - low) / (high - low), 0.0, 1.0)


def nonzero_box(x: np.ndarray) -> tuple[slice, ...]:
    """The bounding box of the non-zero entries (the whole array when all are zero)."""
    nz = np.nonzero(x)
    if len(nz[0]) == 0:
        return tuple(slice(0, s) for s in x.shape)
    return tuple(slice(int(i.min()), int(i.max()) + 1) for i in nz)


def to_grid(unit: np.ndarray, size: int) -> torch.Tensor:
    """``[0, 1]`` image / volume -> ``(1, size, size[, size])`` uint8 (volumes cropped to the non-zero box)."""
    if unit.ndim == 3:
        unit = unit[nonzero_box(unit)]
    x = torch.from_numpy(np.ascontiguousarray(unit, dtype=np.float32))[None, None]
    if tuple(x.shape[2:]) != (size,) * unit.ndim:
        mode = "bilinear" if unit.ndim == 2 else "trilinear"
        x = F.interpolate(x, size=(size,) * unit.ndim, mode=mode, align_corners=False)
    return (x[0] * 255.0).round().clamp(0, 255).to(torch.uint8)


def prepare(scan: Scan, size: int, window: str = "auto") -> torch.Tensor:
    """:func:`to_unit` then :func:`to_grid`."""
    return to_grid(to_unit(scan, window), size)
