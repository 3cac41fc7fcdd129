"""What a ``--data`` / ``inspect`` / ``embed`` path is, and its scans: one dispatch for every format.

* ``*.npz``: MedMNIST (2D or 3D, labelled splits);
* ``*.nii`` / ``*.nii.gz``: NIfTI volumes;
* a folder of PNG / JPEG images (+ ``labels.csv``): labelled or unlabelled 2D images;
* a folder of DICOM files: one series -> volume(s);
* any other file: a DICOM file (an image, or a multi-frame volume).
"""

from __future__ import annotations

from pathlib import Path

from ssl_core.errors import DataError
from ssl_plugin_medical.dicom import read_file
from ssl_plugin_medical.geometry import Scan
from ssl_plugin_medical.images import image_files, read_folder
from ssl_plugin_medical.nifti import is_nifti, read_nifti
from ssl_plugin_medical.series import dicom_files, read_series


def kind_of(path: Path) -> str:
    """``medmnist``, ``nifti``, ``images``, ``series`` or ``dicom``.

    Raises:
        DataError: the path does not exist, or is a folder with neither images nor DICOM files.
    """
    if not path.exists():
        raise DataError(path, "<file>", "not found")
    if path.is_dir():
        if image_files(path):
            return "images"
        if dicom_files(path):
            return "series"
        raise DataError(path, "<folder>", "empty: no DICOM series (*.dcm) and no PNG / JPEG images")
    if path.suffix.lower() == ".npz":
        return "medmnist"
    return "nifti" if is_nifti(path) else "dicom"


def read_scans(path: Path, labels: Path | None = None) -> list[Scan]:
    """The images / volumes of a path (MedMNIST npz: use :func:`~ssl_plugin_medical.medmnist.read_medmnist`)."""
    kind = kind_of(path)
    if kind == "nifti":
        return read_nifti(path)
    if kind == "series":
        return read_series(path)
    if kind == "images":
        arrays, names, _ = read_folder(path, labels)
        return [Scan(a, n) for a, n in zip(arrays, names)]
    if kind == "dicom":
        return [read_file(path)]
    raise DataError(path, "<file>", "a MedMNIST npz holds splits, not scans")
