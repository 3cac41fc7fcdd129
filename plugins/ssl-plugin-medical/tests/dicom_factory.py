"""Small synthetic DICOM files written with pydicom, for the bad-input corpus (no patient data)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, SecondaryCaptureImageStorage, generate_uid

SERIES = "1.2.826.0.1.3680043.8.498.1"


def write_slice(
    path: Path, z: float, *, series: str = SERIES, instance: int = 1, iop: tuple[float, ...] = (1, 0, 0, 0, 1, 0),
    pixels: bool = True, syntax: str = ExplicitVRLittleEndian, size: int = 8,
) -> Path:  # fmt: skip
    """One 8 x 8 uint16 CT slice at height ``z`` (Explicit VR Little Endian unless ``syntax`` says otherwise)."""
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.SeriesInstanceUID, ds.InstanceNumber = "CT", series, instance
    ds.ImageOrientationPatient = list(iop)
    ds.ImagePositionPatient = [0.0, 0.0, float(z)]
    ds.PixelSpacing = [0.5, 0.5]
    if pixels:
        ds.Rows = ds.Columns = size
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        if syntax == ExplicitVRLittleEndian:
            ds.PixelData = (np.arange(size * size, dtype=np.uint16) + int(z)).tobytes()
        else:
            from pydicom.encaps import encapsulate

            ds.PixelData = encapsulate([b"\xff\x4f\xff\x51" + b"\x00" * 60])
            ds["PixelData"].VR = "OB"
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)
    return path


def write_series(folder: Path, zs: list[float], **kw: object) -> Path:
    """Slices at heights ``zs`` in ``folder`` (instance numbers in order)."""
    for i, z in enumerate(zs):
        write_slice(folder / f"s{i:03d}.dcm", z, instance=i + 1, **kw)  # type: ignore[arg-type]
    return folder
