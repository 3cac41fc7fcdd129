"""NIfTI-1 / NIfTI-2 volumes with nibabel, orientation and spacing kept.

The image is reoriented to the closest canonical (RAS+) orientation, then its axes are reversed so
the array is ``(D, H, W) = (S, A, R)`` order: axis 0 runs inferior -> superior (the slice axis, as a
DICOM axial series). A 4D image gives one volume per time point. Header extensions are never read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_medical.geometry import Scan, axis_codes


def is_nifti(path: Path) -> bool:
    """Whether the name ends in ``.nii`` or ``.nii.gz``."""
    name = path.name.lower()
    return name.endswith(".nii") or name.endswith(".nii.gz")


def read_nifti(path: Path) -> list[Scan]:
    """The volumes of a NIfTI file (one per time point of a 4D image)."""
    import nibabel as nib

    try:
        img = nib.as_closest_canonical(nib.load(str(path)))
        data = np.asarray(img.get_fdata(dtype=np.float32))
    except (OSError, EOFError, ValueError, nib.filebasedimages.ImageFileError) as exc:  # type: ignore[attr-defined]
        raise DataError(path, "<file>", f"unreadable NIfTI: {str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__}") from None  # fmt: skip
    if data.ndim == 2:
        data = data[..., None]
    if data.ndim not in (3, 4):
        raise DataError(path, "dim", f"expected a 3D or 4D image, got {data.ndim}D {data.shape}")
    if not np.isfinite(data).all():
        raise DataError(path, "<data>", "non-finite voxel values (NaN or inf)")
    zooms = tuple(float(z) for z in img.header.get_zooms()[:3])
    rot = img.affine[:3, :3] / np.maximum(np.linalg.norm(img.affine[:3, :3], axis=0), 1e-12)
    orient = axis_codes(rot.T[::-1], lps=False)
    vols = [data] if data.ndim == 3 else [data[..., t] for t in range(data.shape[3])]
    name = path.name
    return [
        Scan(np.ascontiguousarray(v.transpose(2, 1, 0)), name if len(vols) == 1 else f"{name}[t={t}]", "OT",
             zooms[::-1], orient, None)
        for t, v in enumerate(vols)
    ]  # fmt: skip
