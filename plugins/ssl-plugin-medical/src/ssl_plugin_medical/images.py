"""A folder of 2D PNG / JPEG images (how fundus and OCT B-scans usually arrive) with a labels CSV.

``labels.csv`` (optional, in the folder or named by ``--labels``) has a header with a file column
(``file``, ``filename``, ``image`` or ``path``) and a ``label`` column; labels are class names or
integers (mapped to 0..K-1 in sorted order). Images are read with Pillow and converted to 8-bit
grayscale (``L``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError

SUFFIXES = (".png", ".jpg", ".jpeg")
FILE_COLUMNS = ("file", "filename", "image", "path")


def image_files(folder: Path) -> list[Path]:
    """The folder's PNG / JPEG files, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def read_image(path: Path) -> np.ndarray:
    """8-bit grayscale ``(H, W)`` pixels of a PNG / JPEG."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            return np.asarray(img.convert("L"), dtype=np.uint8)
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise DataError(path, "<file>", f"unreadable image: {str(exc).splitlines()[0][:160]}") from None


def read_labels(csv_path: Path, names: set[str]) -> tuple[dict[str, int], list[str]]:
    """``({file name: class index}, class names)`` from a labels CSV; every file must be in ``names``."""
    try:
        with open(csv_path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(csv_path, "<file>", f"unreadable CSV: {exc}") from None
    if not rows:
        raise DataError(csv_path, "<header>", "empty file")
    header = [h.strip().lower() for h in rows[0]]
    fcol = next((header.index(c) for c in FILE_COLUMNS if c in header), None)
    if fcol is None or "label" not in header:
        raise DataError(
            csv_path, "<header>", f"needs a file column ({'/'.join(FILE_COLUMNS)}) and a label column"
        )
    lcol = header.index("label")
    raw: dict[str, str] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise DataError(csv_path, f"line {line}", f"expected {len(header)} fields, found {len(row)}")
        name, label = Path(row[fcol].strip()).name, row[lcol].strip()
        if name not in names:
            raise DataError(csv_path, f"line {line}", f"{name!r} is not an image in the folder")
        if not label:
            raise DataError(csv_path, f"line {line}", "the label is missing")
        raw[name] = label
    classes = sorted(set(raw.values()), key=lambda s: (not s.isdigit(), int(s) if s.isdigit() else 0, s))
    return {k: classes.index(v) for k, v in raw.items()}, classes


def read_folder(
    folder: Path, labels: Path | None = None
) -> tuple[list[np.ndarray], list[str], np.ndarray | None]:
    """``(images, file names, labels or None)``; only labelled images when a labels CSV exists."""
    files = image_files(folder)
    if not files:
        raise DataError(folder, "<folder>", f"no images ({', '.join(SUFFIXES)}) in the folder")
    csv_path = labels or (folder / "labels.csv")
    if not csv_path.is_file():
        if labels is not None:
            raise DataError(csv_path, "<file>", "labels CSV not found")
        return [read_image(p) for p in files], [p.name for p in files], None
    mapping, _ = read_labels(csv_path, {p.name for p in files})
    kept = [p for p in files if p.name in mapping]
    ys = np.array([mapping[p.name] for p in kept], dtype=np.int64)
    return [read_image(p) for p in kept], [p.name for p in kept], ys
