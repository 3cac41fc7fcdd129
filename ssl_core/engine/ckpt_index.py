"""Verified checkpoints: ``step_<N>.pt`` and a separate ``last.pt``, each recorded in an index.

::

    checkpoints/index.json   {"format": 1, "files": {"last.pt": {"step": N, "size": B, "sha256": H},
                                                      "step_<N>.pt": {...}, ...}}

:func:`save_verified` serializes the state once, writes the bytes to ``step_<N>.pt`` and to
``last.pt`` (two independent files, each through a temporary file + fsync + rename) and then
rewrites the index atomically, so a damaged ``last.pt`` never takes the step file with it.
:func:`load_verified` checks a file's size and sha256 against the index before unpickling it
(``weights_only=True``); :func:`load_newest_intact` tries ``last.pt`` and then the step files from
the newest, and reports each one it had to skip, so resume and evaluation can fall back and say so.
A file the index does not list (a run written before the index existed) is loaded unverified.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import torch

from ssl_core.engine.checkpoint import (
    FORMAT,
    checkpoint_path,
    fsync_dir,
    list_checkpoints,
    load_checkpoint,
    load_failure,
)
from ssl_core.errors import CheckpointError
from ssl_core.utils.atomic import atomic_writer

__all__ = [
    "newest_intact_state",
    "INDEX",
    "load_newest_intact",
    "load_verified",
    "read_index",
    "save_verified",
]

INDEX = "index.json"


def read_index(run_dir: Path) -> dict[str, dict[str, Any]]:
    """``{file name: {"step", "size", "sha256"}}`` of ``run_dir/checkpoints/index.json`` ({} if none)."""
    path = Path(run_dir) / "checkpoints" / INDEX
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path}: unreadable checkpoint index ({exc})") from None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise CheckpointError(f"{path}: not an ssl-core checkpoint index")
    return files


def _write(data: bytes, path: Path) -> None:
    with atomic_writer(path, fsync=True) as fh:
        fh.write(data)


def save_verified(state: dict[str, Any], run_dir: Path, step: int, keep: int) -> None:
    """Write ``state`` as ``step_<step>.pt`` and ``last.pt``, prune to ``keep`` step files, update the index."""
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    record = {"step": step, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    step_path, last_path = checkpoint_path(run_dir, step), checkpoint_path(run_dir, "last")
    _write(data, step_path)
    _write(data, last_path)
    steps = list_checkpoints(run_dir)
    for _, old in steps[:-keep] if keep > 0 else []:
        old.unlink(missing_ok=True)
    files = {k: v for k, v in read_index(run_dir).items() if (step_path.parent / k).is_file()}
    files.update({step_path.name: record, last_path.name: record})
    index = json.dumps({"format": FORMAT, "files": files}, indent=1, sort_keys=True)
    _write(index.encode("utf-8"), step_path.parent / INDEX)
    fsync_dir(step_path.parent)


def load_verified(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load checkpoint ``path`` after checking its size and sha256 against the index, if listed.

    Raises:
        CheckpointError: missing, damaged (size or checksum differs from the index), or not loadable.
    """
    path = Path(path)
    record = read_index(path.parent.parent).get(path.name)
    if record is None or not path.is_file():
        return load_checkpoint(path, map_location)
    data = path.read_bytes()
    if len(data) != record.get("size"):
        raise CheckpointError(
            f"{path}: damaged checkpoint ({len(data)} bytes, index records {record.get('size')})"
        )
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        raise CheckpointError(f"{path}: damaged checkpoint (sha256 differs from the index)")
    try:
        state = torch.load(io.BytesIO(data), map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise CheckpointError(f"{path}: cannot load checkpoint ({load_failure(exc)})") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ssl-core checkpoint (format {FORMAT})")
    return state


def load_newest_intact(
    run_dir: Path, map_location: str | torch.device = "cpu"
) -> tuple[dict[str, Any], Path, list[str]]:
    """The newest checkpoint of ``run_dir`` that loads and verifies: ``(state, path, skipped)``.

    ``last.pt`` first, then ``step_<N>.pt`` from the newest; ``skipped`` holds one line per file
    that was damaged or unloadable (empty when ``last.pt`` was fine).

    Raises:
        CheckpointError: no intact checkpoint at all (the message lists why each file was refused).
    """
    candidates = [checkpoint_path(run_dir, "last"), *(p for _, p in reversed(list_checkpoints(run_dir)))]
    skipped: list[str] = []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            return load_verified(path, map_location), path, skipped
        except CheckpointError as exc:
            skipped.append(str(exc))
    where = Path(run_dir) / "checkpoints"
    if not skipped:
        raise CheckpointError(f"{where}: checkpoint not found (no last.pt or step_<N>.pt)")
    raise CheckpointError(f"{where}: no intact checkpoint to load ({'; '.join(skipped)})")


def newest_intact_state(run_dir: Path, verb: str, *, warn: bool = True) -> tuple[dict[str, Any], Path]:
    """:func:`load_newest_intact`, saying on stderr which files were skipped and why (when ``warn``).

    ``verb`` names what the caller does (``"resuming from"``, ``"loading"``).
    """
    state, path, skipped = load_newest_intact(run_dir)
    if skipped and warn:
        print(f"warning: {verb} {path} (step {state['step']}): {'; '.join(skipped)}", file=sys.stderr)
    return state, path
