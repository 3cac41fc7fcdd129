"""A DICOM series folder assembled into volumes (one per time point), checked slice by slice.

Checks, each a :class:`~ssl_core.errors.DataError` naming a file and the attribute: one
SeriesInstanceUID, one ImageOrientationPatient (within 1e-4), equal Rows / Columns, the same number
of frames at every slice position (a duplicated slice otherwise), and a uniform spacing along the
slice normal (a missing slice otherwise, within 1% or 0.01 mm). Positions are projected on the normal
``row x column``; without ImagePositionPatient the slices are ordered by InstanceNumber and spaced by
SpacingBetweenSlices / SliceThickness.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_medical.dicom import _normal, _spacing_2d, _syntax, pixels, read_header
from ssl_plugin_medical.geometry import Scan, axis_codes


def dicom_files(folder: Path) -> list[Path]:
    """The folder's files that may be DICOM (``*.dcm`` or no suffix), sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in (".dcm", ".dicom", ""))


def _check_same(headers: list[tuple[Path, Any]], attr: str, what: str) -> None:
    first_path, first = headers[0]
    ref = first.get(attr)
    for path, ds in headers[1:]:
        value = ds.get(attr)
        if attr == "ImageOrientationPatient" and ref is not None and value is not None:
            same = np.allclose(np.array(ref, float), np.array(value, float), atol=1e-4)
        else:
            same = value == ref
        if not same:
            raise DataError(path, attr, f"{what} differs from {first_path.name}'s: one series per folder")


def _positions(headers: list[tuple[Path, Any]]) -> tuple[np.ndarray, str]:
    normal = _normal(headers[0][1])
    if normal is not None and all(ds.get("ImagePositionPatient") is not None for _, ds in headers):
        pos = np.array([np.dot(np.array(ds.ImagePositionPatient, float), normal[0]) for _, ds in headers])
        return pos, "ImagePositionPatient"
    return np.array(
        [float(ds.get("InstanceNumber", i)) for i, (_, ds) in enumerate(headers)]
    ), "InstanceNumber"


def _order(headers: list[tuple[Path, Any]]) -> tuple[list[list[int]], np.ndarray, str]:
    """Slice groups (file indices per position, time-ordered), the sorted positions, the key used."""
    pos, key = _positions(headers)
    groups: dict[float, list[int]] = defaultdict(list)
    for i, p in enumerate(pos):
        groups[round(float(p), 3)].append(i)
    keys = sorted(groups)
    counts = {len(groups[k]) for k in keys}
    if len(counts) > 1:
        extra = max(keys, key=lambda k: len(groups[k]))
        files = [headers[i][0].name for i in groups[extra]]
        raise DataError(headers[groups[extra][-1]][0], key,
                        f"duplicate slice at {extra:g} ({', '.join(files[:3])}): {sorted(counts)} frames per position")  # fmt: skip
    inst = [float(ds.get("InstanceNumber", 0) or 0) for _, ds in headers]
    slices = [sorted(groups[k], key=lambda i: inst[i]) for k in keys]
    return slices, np.array(keys), key


def _spacing(headers: list[tuple[Path, Any]], slices: list[list[int]], pos: np.ndarray, key: str) -> float:
    first = headers[0][1]
    if key != "ImagePositionPatient" or len(pos) < 2:
        value = first.get("SpacingBetweenSlices") or first.get("SliceThickness")
        return float(value) if value is not None else 1.0
    steps = np.diff(pos)
    mid = float(np.median(steps))
    bad = np.nonzero(np.abs(steps - mid) > max(0.01, 0.01 * abs(mid)))[0]
    if len(bad):
        i = int(bad[0])
        a, b = headers[slices[i][0]][0], headers[slices[i + 1][0]][0]
        raise DataError(b, key, f"non-uniform slice spacing: {steps[i]:.4g} mm after {a.name} where the "
                                f"series steps {mid:.4g} mm (a missing slice?)")  # fmt: skip
    return abs(mid)


def read_series(folder: Path) -> list[Scan]:
    """The volumes ``(D, H, W)`` of the DICOM series in ``folder`` (several when frames repeat per position)."""
    files = dicom_files(folder)
    if not files:
        raise DataError(folder, "<folder>", "no DICOM files (*.dcm) in the folder")
    headers = [(p, read_header(p, pixels=False)) for p in files]
    uids = {str(ds.get("SeriesInstanceUID", "")) for _, ds in headers}
    if len(uids) > 1:
        first = str(headers[0][1].get("SeriesInstanceUID", ""))
        other = next(p for p, ds in headers if str(ds.get("SeriesInstanceUID", "")) != first)
        raise DataError(
            other, "SeriesInstanceUID", f"the folder mixes {len(uids)} series: one series per folder"
        )
    for attr, what in (("ImageOrientationPatient", "orientation"), ("Rows", "image height"),
                       ("Columns", "image width")):  # fmt: skip
        _check_same(headers, attr, what)
    slices, pos, key = _order(headers)
    spacing = _spacing(headers, slices, pos, key)
    stacks = []
    for group in slices:
        stacks.append([pixels(read_header(files[i], pixels=True), files[i]) for i in group])
    first = headers[0][1]
    dirs, ps = _normal(first), _spacing_2d(first)
    uid, name = _syntax(first)
    out = []
    for t in range(len(slices[0])):
        vol = np.stack([stack[t] for stack in stacks])
        if vol.ndim != 3:
            raise DataError(
                files[slices[0][t]], "NumberOfFrames", "a multi-frame file inside a series folder"
            )
        out.append(Scan(vol, folder.name if len(slices[0]) == 1 else f"{folder.name}[t={t}]",
                        str(first.get("Modality", "OT") or "OT"), (spacing, *ps) if ps else None,
                        axis_codes(dirs) if dirs is not None else None, f"{name} ({uid})"))  # fmt: skip
    return out
