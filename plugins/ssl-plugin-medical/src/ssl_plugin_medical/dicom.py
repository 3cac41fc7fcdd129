"""DICOM with pydicom: a single file, a multi-frame file, or a series folder assembled into a volume.

Only pixels and geometry leave this module (:class:`~ssl_plugin_medical.geometry.Scan`); errors name
the file, the DICOM attribute and the reason, never a patient attribute's value. A series folder is
sorted by ImagePositionPatient projected on the slice normal (row x column of
ImageOrientationPatient), InstanceNumber when positions are absent; RescaleSlope / Intercept are
applied; several frames per position (fMRI time points) give one volume per time point. Compressed
transfer syntaxes go through pydicom's pixel-data handlers (pylibjpeg + pylibjpeg-openjpeg decode
JPEG 2000; pylibjpeg-libjpeg JPEG; GDCM most others).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_medical.geometry import Scan, axis_codes

#: The package to install for each compressed transfer syntax family (``pip install ...``).
DECODERS = {
    "1.2.840.10008.1.2.4.90": "pylibjpeg pylibjpeg-openjpeg",  # JPEG 2000 lossless
    "1.2.840.10008.1.2.4.91": "pylibjpeg pylibjpeg-openjpeg",  # JPEG 2000
    "1.2.840.10008.1.2.4.50": "pylibjpeg pylibjpeg-libjpeg",  # JPEG baseline
    "1.2.840.10008.1.2.4.51": "pylibjpeg pylibjpeg-libjpeg",
    "1.2.840.10008.1.2.4.57": "pylibjpeg pylibjpeg-libjpeg",  # JPEG lossless
    "1.2.840.10008.1.2.4.70": "pylibjpeg pylibjpeg-libjpeg",
    "1.2.840.10008.1.2.4.80": "pylibjpeg pylibjpeg-libjpeg",  # JPEG-LS
    "1.2.840.10008.1.2.4.81": "pylibjpeg pylibjpeg-libjpeg",
    "1.2.840.10008.1.2.5": "pylibjpeg pylibjpeg-rle",  # RLE
}


def jpeg2000_decoder() -> str | None:
    """The missing package(s) of the JPEG 2000 decoder pydicom uses here, or ``None`` when installed."""
    missing = []
    try:
        import pylibjpeg  # noqa: F401
    except ImportError:
        missing.append("pylibjpeg")
    try:
        import openjpeg  # noqa: F401
    except ImportError:
        missing.append("pylibjpeg-openjpeg")
    return " ".join(missing) or None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]


def read_header(path: Path, *, pixels: bool) -> Any:
    """``pydicom.dcmread`` with every failure turned into a :class:`DataError` naming ``path``."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        ds = pydicom.dcmread(path, stop_before_pixels=not pixels)
        for _ in ds.iterall():  # parse every element now: a bad VR fails here, not later
            pass
        return ds
    except InvalidDicomError:
        raise DataError(
            path, "<file>", "not a DICOM file (no DICM preamble or file meta information)"
        ) from None
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError, NotImplementedError) as exc:
        raise DataError(path, "<file>", f"unreadable DICOM (corrupt header): {_reason(exc)}") from None


def _syntax(ds: Any) -> tuple[str, str]:
    meta = getattr(ds, "file_meta", None)
    uid = getattr(meta, "TransferSyntaxUID", None) if meta is not None else None
    if uid is None:
        return "", "unknown"
    return str(uid), str(getattr(uid, "name", uid))


def pixels(ds: Any, path: Path) -> np.ndarray:
    """The rescaled pixel array (float32; grayscale: RGB to luminance, MONOCHROME1 inverted)."""
    if "PixelData" not in ds and "FloatPixelData" not in ds and "DoubleFloatPixelData" not in ds:
        sop = getattr(getattr(ds, "SOPClassUID", None), "name", "unknown SOP class")
        raise DataError(path, "PixelData", f"no pixel data: not an image object ({sop})")
    uid, name = _syntax(ds)
    try:
        arr = np.asarray(ds.pixel_array)
    except (RuntimeError, NotImplementedError) as exc:
        package = DECODERS.get(uid, "pylibjpeg pylibjpeg-openjpeg (or python-gdcm)")
        if uid in ("1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91"):
            package = jpeg2000_decoder() or ""
            if not package:  # the decoder is installed: the data is at fault
                raise DataError(path, "PixelData", f"corrupt {name} pixel data: {_reason(exc)}") from None
        raise DataError(path, "TransferSyntaxUID",
                        f"no decoder for {name} ({uid}): pip install {package} ({_reason(exc)})") from None  # fmt: skip
    except (ValueError, AttributeError, KeyError, TypeError, EOFError) as exc:
        raise DataError(path, "PixelData", f"cannot decode the pixel data: {_reason(exc)}") from None
    photometric = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    out = arr.astype(np.float32)
    if samples == 3:
        out = out @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    out = out * float(ds.get("RescaleSlope", 1) or 1) + float(ds.get("RescaleIntercept", 0) or 0)
    if photometric == "MONOCHROME1":
        out = out.max() - out
    if not np.isfinite(out).all():
        raise DataError(path, "PixelData", "non-finite pixel values after rescaling")
    return out


def _spacing_2d(ds: Any) -> tuple[float, float] | None:
    ps = ds.get("PixelSpacing") or ds.get("ImagerPixelSpacing")
    return (float(ps[0]), float(ps[1])) if ps is not None and len(ps) == 2 else None


def _normal(ds: Any) -> np.ndarray | None:
    iop = ds.get("ImageOrientationPatient")
    if iop is None or len(iop) != 6:
        return None
    row, col = np.array(iop[:3], dtype=np.float64), np.array(iop[3:], dtype=np.float64)
    return np.stack([np.cross(row, col), col, row])  # array axes: slice, rows (along col dir), columns


def read_file(path: Path) -> Scan:
    """One DICOM file: an image ``(H, W)`` or, multi-frame, a volume ``(frames, H, W)``."""
    ds = read_header(path, pixels=True)
    arr = pixels(ds, path)
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    if frames == 1 and arr.ndim == 3:
        arr = arr[0]
    uid, name = _syntax(ds)
    spacing2, dirs = _spacing_2d(ds), _normal(ds)
    thick = ds.get("SpacingBetweenSlices") or ds.get("SliceThickness")
    spacing: tuple[float, ...] | None
    if arr.ndim == 3:
        spacing = (float(thick), *spacing2) if thick is not None and spacing2 else None
        orient = axis_codes(dirs) if dirs is not None else None
    else:
        spacing, orient = spacing2, axis_codes(dirs[1:]) if dirs is not None else None
    return Scan(arr, path.name, str(ds.get("Modality", "OT") or "OT"), spacing, orient, f"{name} ({uid})")
