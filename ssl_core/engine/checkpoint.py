"""Atomic, ``weights_only``-loadable training checkpoints.

A checkpoint is one ``torch.save`` dict::

    {"format": 1, "step": int, "epoch": int, "config_hash": str,
     "model": module state dict (the EMA teacher is part of the module),
     "optimizer": optimizer state dict, "scaler": GradScaler state dict or None,
     "sampler": {"epoch": int, "batch": int, "seed": int},
     "rng": [per-rank RNG states from ssl_core.engine.rng.capture_rng],
     "nonfinite": {"total": int, "in_a_row": int}}

It is written to a temporary file in the same directory, flushed and ``fsync``-ed, then renamed over
the target (``os.replace`` is atomic on POSIX), and the directory is ``fsync``-ed: a crash at any
point leaves either the old or the new file, never a truncated one.

Under FSDP2 a checkpoint is instead a ``torch.distributed.checkpoint`` directory ``step_<N>.dcp``
(see :mod:`ssl_core.engine.sharded`) and ``last.dcp`` a symbolic link to the newest one.
:func:`latest_checkpoint` finds the newest ``last`` of either kind.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import torch

from ssl_core.errors import CheckpointError
from ssl_core.utils.atomic import atomic_writer

__all__ = [
    "FORMAT",
    "atomic_link",
    "atomic_save",
    "atomic_symlink",
    "checkpoint_path",
    "fsync_dir",
    "has_checkpoint",
    "latest_checkpoint",
    "list_checkpoints",
    "load_checkpoint",
    "load_failure",
    "prune_checkpoints",
]

FORMAT = 1


def checkpoint_path(run_dir: Path, which: str | int, *, sharded: bool = False) -> Path:
    """``checkpoints/last.pt`` for ``"last"``, else ``checkpoints/step_<N>.pt`` (``.dcp`` if ``sharded``)."""
    suffix = ".dcp" if sharded else ".pt"
    name = f"last{suffix}" if which == "last" else f"step_{int(which)}{suffix}"
    return Path(run_dir) / "checkpoints" / name


def latest_checkpoint(run_dir: Path, which: str | int = "last") -> Path:
    """The checkpoint ``which`` of ``run_dir``: the single file, or the DCP directory.

    For ``"last"`` with both kinds present (a run resumed under another strategy), the one written
    last. Returns the single-file path when neither exists (loading it then reports it missing).
    """
    single, sharded = checkpoint_path(run_dir, which), checkpoint_path(run_dir, which, sharded=True)
    if not sharded.exists():
        return single
    if not single.exists():
        return sharded
    return sharded if sharded.lstat().st_mtime_ns > single.lstat().st_mtime_ns else single


def has_checkpoint(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a ``last`` checkpoint of either kind."""
    return latest_checkpoint(run_dir).exists()


def fsync_dir(path: Path) -> None:
    """``fsync`` a directory so a rename in it survives a crash (a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_save(obj: Any, path: Path, *, sync_dir: bool = True) -> None:
    """``torch.save(obj, path)`` through a temporary file + fsync + rename (+ fsync of the directory)."""
    path = Path(path)
    with atomic_writer(path, fsync=True) as fh:
        torch.save(obj, fh)
    if sync_dir:
        fsync_dir(path.parent)


def atomic_link(src: Path, dst: Path) -> None:
    """Make ``dst`` an atomic hard link to ``src`` (a full atomic copy where links are unsupported)."""
    tmp = dst.with_name(f".{dst.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    try:
        os.link(src, tmp)
    except OSError:
        atomic_save(torch.load(src, map_location="cpu", weights_only=True), dst)
        return
    os.replace(tmp, dst)
    fsync_dir(dst.parent)


def atomic_symlink(target: Path, link: Path) -> None:
    """Point ``link`` at ``target`` (a relative link, replaced atomically)."""
    tmp = link.with_name(f".{link.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, link.parent), tmp)
    os.replace(tmp, link)
    fsync_dir(link.parent)


def load_checkpoint(path: Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint with ``weights_only=True``.

    Raises:
        CheckpointError: the file is missing, unreadable, or not an ssl-core checkpoint.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: checkpoint not found")
    try:
        state = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise CheckpointError(f"{path}: cannot load checkpoint ({load_failure(exc)})") from exc
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise CheckpointError(f"{path}: not an ssl-core checkpoint (format {FORMAT})")
    return state


def load_failure(exc: BaseException) -> str:
    """A one-line reason for a failed ``torch.load`` (never PyTorch's advice to unpickle unsafely)."""
    if isinstance(exc, pickle.UnpicklingError) or "weights_only" in str(exc):
        return "refused: it holds objects other than tensors and plain containers (weights_only=True)"
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first[:200]}" if first else type(exc).__name__


def list_checkpoints(run_dir: Path, *, sharded: bool = False) -> list[tuple[int, Path]]:
    """``(step, path)`` of every ``step_<N>.pt`` (``step_<N>.dcp`` if ``sharded``), by step."""
    found = []
    for p in (Path(run_dir) / "checkpoints").glob("step_*.dcp" if sharded else "step_*.pt"):
        try:
            found.append((int(p.stem.removeprefix("step_")), p))
        except ValueError:
            continue
    return sorted(found)


def prune_checkpoints(run_dir: Path, keep: int, *, sharded: bool = False) -> None:
    """Delete all but the newest ``keep`` step checkpoints of one kind (``last`` is kept)."""
    if keep <= 0:
        return
    for _, path in list_checkpoints(run_dir, sharded=sharded)[:-keep]:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
