"""Clip contexts from files: frame features (``.npy`` / ``.h5`` per clip) and videos decoded with PyAV.

Kim et al. (AAAI 2021) feed per-frame visual features beside the text; video-QA datasets distribute
them pre-extracted, one array ``(frames, dim)`` per clip. :func:`read_features` reads such a file and
:func:`read_video` decodes a video (PyAV, FFmpeg) into small RGB frames, one per time bin, for the
plugin's frame CNN. Both raise :class:`ssl_core.errors.DataError` naming the file and the reason.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ssl_core.errors import DataError

FEATURE_SUFFIXES = (".npy", ".h5", ".hdf5")
VIDEO_SUFFIXES = (".mp4", ".mkv", ".avi", ".webm", ".mov")


def find_clip_file(folder: Path, clip: str, suffixes: tuple[str, ...]) -> Path:
    """``folder/<clip><suffix>`` for the first suffix that exists."""
    for suffix in suffixes:
        path = folder / f"{clip}{suffix}"
        if path.is_file():
            return path
    raise DataError(folder, clip, f"no file {clip}{{{','.join(suffixes)}}} for this clip")


def read_features(path: Path) -> np.ndarray:
    """A ``(frames, dim)`` float32 array from ``.npy`` (no pickles) or ``.h5`` (first dataset)."""
    try:
        if path.suffix == ".npy":
            arr = np.load(path, allow_pickle=False)
        else:
            import h5py

            with h5py.File(path, "r") as f:
                names = [k for k in f if isinstance(f[k], h5py.Dataset)]
                if not names:
                    raise DataError(path, "<datasets>", "no dataset in the HDF5 file")
                arr = np.asarray(f[names[0]])
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(path, "<array>", f"not a readable feature array: {exc}") from exc
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(path, "<array>", f"expected a non-empty (frames, dim) array, found shape {arr.shape}")
    if arr.dtype.kind not in "fiu":
        raise DataError(path, "<array>", f"dtype {arr.dtype} is not numeric")
    arr = arr.astype(np.float32)
    if not np.isfinite(arr).all():
        raise DataError(
            path, "<array>", f"non-finite values in row {int(np.argwhere(~np.isfinite(arr))[0][0])}"
        )
    return arr


def bin_features(arr: np.ndarray, fps: float, bin_seconds: float, n_bins: int) -> np.ndarray:
    """Mean of the feature rows inside each time bin ``[i, i + 1) * bin_seconds`` -> ``(n_bins, dim)``."""
    out = np.zeros((n_bins, arr.shape[1]), dtype=np.float32)
    bins = np.minimum((np.arange(len(arr)) / fps / bin_seconds).astype(np.int64), n_bins)
    for i in range(n_bins):
        rows = arr[bins == i]
        if len(rows):
            out[i] = rows.mean(0)
    return out


def read_video(path: Path, bin_seconds: float, max_bins: int, size: int = 32) -> tuple[np.ndarray, float]:
    """Decode ``path`` with PyAV: the first frame of each time bin as ``(bins, 3, size, size)`` uint8, and
    the duration in seconds.

    Raises:
        DataError: the file cannot be opened or decoded, has no video stream, or no frame.
    """
    import av

    if path.stat().st_size == 0:
        raise DataError(path, "<video>", "zero-length video file (0 bytes)")
    frames: dict[int, np.ndarray] = {}
    last, step = 0.0, 0.0
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise DataError(path, "<streams>", "no video stream")
            rate = container.streams.video[0].average_rate
            step = 1.0 / float(rate) if rate else 0.0
            for frame in container.decode(video=0):
                t = float(frame.time or 0.0)
                last = max(last, t)
                b = int(t / bin_seconds)
                if b < max_bins and b not in frames:
                    frames[b] = frame.to_ndarray(width=size, height=size, format="rgb24")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise DataError(
            path, "<video>", f"unreadable video: {getattr(exc, 'strerror', None) or exc}"
        ) from exc
    if not frames:
        raise DataError(path, "<video>", "zero-length video (no decodable frame)")
    n = max(frames) + 1
    out = np.zeros((n, size, size, 3), dtype=np.uint8)
    for b, img in frames.items():
        out[b] = img
    for b in range(1, n):  # a bin with no frame of its own repeats the previous one
        if b not in frames:
            out[b] = out[b - 1]
    return out.transpose(0, 3, 1, 2).copy(), last + step
