"""Atomic file writes: a temporary file next to the target, renamed onto it only when complete.

Temporary files and folders are created with ``os.open(..., 0o666)`` / ``mkdir`` rather than
``tempfile.mkstemp`` / ``mkdtemp`` (which create them owner-only, 0600 / 0700): what ssl-core writes
follows the user's umask like every other tool's (0644 files, 0755 folders under umask 022).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

__all__ = ["atomic_writer", "remove_stale_temporaries", "sibling_temp_dir"]

_ATTEMPTS = 64
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _sibling_name(path: Path, suffix: str) -> Path:
    return path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix}"


_TEMP_NAME = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$")


def remove_stale_temporaries(folder: str | Path) -> list[Path]:
    """Delete the temporary files :func:`atomic_writer` left in ``folder`` when its process was
    killed mid-write (``.<name>.<12 hex>.tmp``); returns them. Call only while nothing writes there."""
    folder = Path(folder)
    stale = [p for p in folder.glob(".*.tmp") if _TEMP_NAME.match(p.name) and p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    return stale


def _create_temp_file(path: Path) -> tuple[int, Path]:
    """Create a new, empty file next to ``path``, mode 0666 minus the umask."""
    for _ in range(_ATTEMPTS):
        tmp = _sibling_name(path, ".tmp")
        try:
            return os.open(tmp, _FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary name after {_ATTEMPTS} attempts")


def sibling_temp_dir(path: str | Path) -> Path:
    """Create and return a new, empty folder next to ``path`` (mode 0777 minus the umask).

    Used to stage a folder that is renamed onto ``path`` once complete; the parent is created.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(_ATTEMPTS):
        tmp = _sibling_name(path, "")
        try:
            tmp.mkdir()
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no free temporary name after {_ATTEMPTS} attempts")


@contextmanager
def atomic_writer(path: str | Path, *, fsync: bool = False) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces ``path`` when the block exits without an error.

    The parent directory is created; ``os.replace`` is atomic on POSIX, so readers see the old file
    or the complete new one, never a partial file. On an error the temporary file is removed and
    ``path`` is untouched; an ``OSError`` that names no file (a full disk on ``write``) is raised
    again naming ``path``. ``fsync`` flushes the data to disk before the rename. The new file's mode
    is 0666 minus the umask.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _create_temp_file(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None and exc.errno is not None:  # a failed write(): name the file
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
