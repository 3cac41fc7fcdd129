"""What a loader returns: pixels and geometry only (never a patient attribute).

A :class:`Scan` is one 2D image or one 3D volume as the field reads it: the array in physical
units (HU for CT after RescaleSlope / Intercept), the voxel spacing in millimetres, the orientation
(patient-axis codes of the array's axes, e.g. ``"SPL"`` or ``"RAS"``), the modality, and for DICOM
the transfer syntax. Nothing else from a DICOM header or a NIfTI extension is ever copied, so no
patient name, ID, birth date, accession number, institution or date / time can leave the loader.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Scan:
    """One image ``(H, W)`` or volume ``(D, H, W)``, float32, with its geometry.

    Attributes:
        array: the pixels in physical units.
        source: the file (or folder) name it came from.
        modality: ``CT``, ``MR``, ``US`` ... (``OT`` when unknown).
        spacing: mm per array axis (``None`` when the file does not say).
        orientation: patient-axis codes of the array axes (``None`` when unknown).
        transfer_syntax: the DICOM transfer syntax name (``None`` for other formats).
    """

    array: np.ndarray
    source: str
    modality: str = "OT"
    spacing: tuple[float, ...] | None = None
    orientation: str | None = None
    transfer_syntax: str | None = None

    @property
    def ndim(self) -> int:
        """2 for an image, 3 for a volume."""
        return int(self.array.ndim)

    def describe(self) -> dict[str, str]:
        """The fields ``ssl-medical inspect`` prints (no patient attribute exists to print)."""
        a = self.array
        spacing = "unknown" if self.spacing is None else " x ".join(f"{s:.4g}" for s in self.spacing) + " mm"
        return {
            "source": self.source,
            "modality": self.modality,
            "shape": " x ".join(str(s) for s in a.shape) + f" ({'volume' if a.ndim == 3 else 'image'})",
            "spacing": spacing,
            "orientation": self.orientation or "unknown",
            "transfer syntax": self.transfer_syntax or "-",
            "value range": f"{float(a.min()):.6g} .. {float(a.max()):.6g}",
        }


def axis_codes(directions: np.ndarray, lps: bool = True) -> str:
    """Patient-axis letters of the rows of a ``(k, 3)`` direction matrix (DICOM LPS or NIfTI RAS space)."""
    pos, neg = ("LPS", "RAI") if lps else ("RAS", "LPI")
    out = []
    for row in np.asarray(directions, dtype=np.float64):
        i = int(np.argmax(np.abs(row)))
        out.append(pos[i] if row[i] > 0 else neg[i])
    return "".join(out)
