"""PNG images for ``report.html`` without matplotlib or Pillow: a 2D array to 8-bit PNG bytes.

Plugins draw image-like figures (medical scans and their reconstructions, spectrograms) with
:func:`array_png`; the page inlines the bytes as a data URI (:class:`ssl_core.report.ReportFigure`).
The encoder writes the PNG chunks by hand (zlib, filter 0 rows; W3C PNG specification, 2003).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from typing import Any

__all__ = ["array_png", "png_bytes"]

_HEAT = (
    (0.0, (0, 0, 4)),
    (0.25, (87, 16, 110)),
    (0.5, (188, 55, 84)),
    (0.75, (249, 142, 9)),
    (1.0, (252, 255, 164)),
)
"""Stops of the ``"heat"`` colour map (black, purple, red, orange, pale yellow: inferno-like)."""


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bytes(rows: bytes, width: int, height: int, channels: int) -> bytes:
    """A PNG of ``height`` rows of ``width * channels`` uint8 samples (1: grey, 3: RGB), row-major."""
    if channels not in (1, 3) or len(rows) != width * height * channels or width < 1 or height < 1:
        raise ValueError(f"png_bytes: {len(rows)} bytes do not make a {width}x{height}x{channels} image")
    stride = width * channels
    raw = b"".join(b"\x00" + rows[r * stride : (r + 1) * stride] for r in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0 if channels == 1 else 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 6))
        + _chunk(b"IEND", b"")
    )


def _heat(u: Any) -> Any:
    import numpy as np

    xs = [s[0] for s in _HEAT]
    return np.stack([np.interp(u, xs, [s[1][c] for s in _HEAT]) for c in range(3)], axis=-1)


def array_png(
    values: Any,
    *,
    scale: int = 1,
    colormap: str = "gray",
    value_range: Sequence[float] | None = None,
    flip: bool = False,
) -> bytes:
    """PNG bytes of a 2D array: values mapped linearly from ``value_range`` (default: min..max) to 0..255.

    Args:
        values: ``(H, W)`` numbers; non-finite ones are drawn as the low end.
        scale: each value becomes a ``scale x scale`` block (nearest neighbour), for small images.
        colormap: ``"gray"`` or ``"heat"`` (dark to bright, for spectrograms and maps).
        value_range: ``(low, high)`` drawn as black and white / brightest.
        flip: draw row 0 at the bottom (spectrograms: low frequencies at the bottom).
    """
    import numpy as np

    a = np.asarray(values, dtype=np.float64)
    if a.ndim != 2 or a.size == 0:
        raise ValueError(f"array_png: needs a non-empty 2D array, got shape {a.shape}")
    if colormap not in ("gray", "heat"):
        raise ValueError(f"array_png: unknown colormap {colormap!r} (gray, heat)")
    finite = a[np.isfinite(a)]
    low, high = (
        value_range
        if value_range is not None
        else ((float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0))
    )
    u = np.clip((np.nan_to_num(a, nan=low, posinf=high, neginf=low) - low) / max(high - low, 1e-12), 0.0, 1.0)
    if flip:
        u = u[::-1]
    u = np.repeat(np.repeat(u, scale, axis=0), scale, axis=1)
    pixels = (u * 255).round() if colormap == "gray" else _heat(u).round()
    channels = 1 if colormap == "gray" else 3
    return png_bytes(pixels.astype(np.uint8).tobytes(), u.shape[1], u.shape[0], channels)
