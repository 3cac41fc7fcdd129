"""``array_png``: PNG bytes decoded back by hand (chunk CRCs, zlib, filter-0 rows) match the array."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from ssl_core.report import array_png


def _decode(png: bytes) -> tuple[int, int, int, np.ndarray]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(png):
        (n,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + n]
        (crc,) = struct.unpack(">I", png[pos + 8 + n : pos + 12 + n])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = data
        pos += 12 + n
    w, h, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert depth == 8 and b"IEND" in chunks
    channels = {0: 1, 2: 3}[colour]
    raw = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + w * channels)
    assert (raw[:, 0] == 0).all()
    return w, h, channels, raw[:, 1:].reshape(h, w, channels)


def test_gray_png_maps_min_to_black_and_max_to_white_scaled_and_flipped() -> None:
    a = np.array([[0.0, 1.0, 2.0], [4.0, np.nan, 3.0]])
    w, h, c, px = _decode(array_png(a))
    expected = np.round(np.nan_to_num(a, nan=0.0) / 4 * 255)
    assert (w, h, c) == (3, 2, 1) and (px[..., 0] == expected).all()
    w, h, _, big = _decode(array_png(a, scale=3, flip=True))
    assert (w, h) == (9, 6) and (big[::3, ::3, 0] == expected[::-1]).all()


def test_heat_png_is_rgb_dark_to_bright_and_clips_to_the_range() -> None:
    _, _, c, px = _decode(array_png([[-5.0, 0.0, 0.5, 1.0, 9.0]], colormap="heat", value_range=(0.0, 1.0)))
    assert c == 3 and px[0, 0].tolist() == [0, 0, 4] == px[0, 1].tolist()
    assert px[0, 3].tolist() == [252, 255, 164] == px[0, 4].tolist() and px[0, 2].tolist() == [188, 55, 84]


@pytest.mark.parametrize("bad", [np.zeros((0, 3)), np.zeros(4), np.zeros((2, 2, 2))])
def test_array_png_refuses_non_2d_input(bad: np.ndarray) -> None:
    with pytest.raises(ValueError, match="2D"):
        array_png(bad)
