"""Atomic file writes: a temporary file next to the target, renamed onto it only when complete."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer"]


@contextmanager
def atomic_writer(path: str | Path, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` when the block exits without an error.

    The parent directory is created; ``os.replace`` is atomic on POSIX, so readers see the old file
    or the complete new one, never a partial file. On an error the temporary file is removed and
    ``path`` is untouched. ``fsync`` flushes the data to disk before the rename.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
