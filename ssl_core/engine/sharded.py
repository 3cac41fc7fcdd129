"""Sharded checkpoints (FSDP2): a ``torch.distributed.checkpoint`` (DCP) directory per step.

Layout of ``checkpoints/step_<N>.dcp/``::

    .metadata, __<rank>_0.distcp   DCP: the model and optimizer TENSORS, each rank writing its shards
    meta.pt                        rank 0: everything else (step, sampler, every rank's RNG, scaler,
                                   probe, counters, optimizer param_groups), ``weights_only``-loadable

The directory is staged under a temporary sibling name and renamed into place by rank 0 once every
rank has written, so a crash leaves the previous checkpoint intact. DCP reshards on load: a
checkpoint written by W ranks loads on any number of ranks, or into a plain module in one process.
Every rank writes into the directory, so on several machines it must be on a shared file system.

Security: only tensors go into the DCP files (DCP would ``pickle`` any other object), and the DCP
``.metadata`` file, a pickle, is read with an unpickler that admits only DCP's own metadata classes.
"""

from __future__ import annotations

import io
import os
import pickle
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
import torch.distributed.checkpoint as dcp
from torch import nn
from torch.distributed.checkpoint import FileSystemReader
from torch.distributed.checkpoint.metadata import BytesStorageMetadata, Metadata, StorageMeta
from torch.optim import Optimizer

from ssl_core import distributed as dist
from ssl_core.errors import CheckpointError
from ssl_core.utils.atomic import sibling_temp_dir

__all__ = [
    "META",
    "SafeReader",
    "is_sharded",
    "load_sharded",
    "merge_tensors",
    "save_sharded",
    "split_tensors",
]

META = "meta.pt"
_ALLOWED_MODULES = ("torch.distributed.checkpoint.", "torch.distributed._shard.")
_ALLOWED_GLOBALS = {
    ("torch", "Size"),
    ("torch", "device"),
    ("torch.serialization", "_get_layout"),  # a layout by name, e.g. "torch.strided"
    ("collections", "OrderedDict"),
    ("pathlib", "PosixPath"),  # the checkpoint id DCP records
    ("pathlib", "WindowsPath"),
    ("builtins", "set"),
}


def is_sharded(path: Path) -> bool:
    """Whether ``path`` is a sharded (DCP) checkpoint directory."""
    return Path(path).is_dir() and (Path(path) / META).is_file()


def split_tensors(tree: Any) -> tuple[dict[str, Any], Any]:
    """Split nested ``dict``s into (the tensors, everything else), both keeping the nesting.

    Keys of the tensor tree are strings (DCP's); dicts that hold no tensor appear only in the rest.
    """
    if not isinstance(tree, dict):
        return {}, tree
    tensors: dict[str, Any] = {}
    rest: dict[Any, Any] = {}
    for key, value in tree.items():
        if isinstance(value, torch.Tensor):
            tensors[str(key)] = value
        elif isinstance(value, dict):
            t, r = split_tensors(value)
            if t:
                tensors[str(key)] = t
            rest[key] = r
        else:
            rest[key] = value
    return tensors, rest


def merge_tensors(tensors: dict[str, Any], rest: Any) -> Any:
    """The inverse of :func:`split_tensors` (for string-keyed trees)."""
    if not isinstance(rest, dict):
        return rest
    out = dict(rest)
    for key, value in tensors.items():
        out[key] = merge_tensors(value, out.get(key, {})) if isinstance(value, dict) else value
    return out


class _MetadataUnpickler(pickle.Unpickler):
    """Admits DCP's metadata classes and a few torch value types, nothing else.

    Only plain names (no dotted paths, which pickle would resolve attribute by attribute) and, from
    DCP's modules, only classes defined there: no function or re-exported module is reachable.
    """

    def find_class(self, module: str, name: str) -> Any:
        if "." not in name:
            if (module, name) in _ALLOWED_GLOBALS:
                return super().find_class(module, name)
            obj = getattr(torch, name, None) if module == "torch" else None
            if isinstance(obj, torch.dtype):
                return obj
            if module.startswith(_ALLOWED_MODULES):
                obj = super().find_class(module, name)
                if isinstance(obj, type) and obj.__module__.startswith(_ALLOWED_MODULES):
                    return obj
        raise pickle.UnpicklingError(f"DCP metadata refers to {module}.{name}, which is not allowed")


class SafeReader(FileSystemReader):
    """A DCP ``FileSystemReader`` reading metadata with an allow-list and refusing pickled items."""

    def read_metadata(self, *args: Any, **kwargs: Any) -> Metadata:
        path = Path(self.path) / ".metadata"
        try:
            metadata = _MetadataUnpickler(io.BytesIO(path.read_bytes())).load()
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError) as exc:
            raise CheckpointError(f"{path}: unreadable DCP metadata ({exc})") from exc
        if not isinstance(metadata, Metadata):
            raise CheckpointError(f"{path}: not DCP metadata")
        if any(isinstance(m, BytesStorageMetadata) for m in metadata.state_dict_metadata.values()):
            raise CheckpointError(f"{path}: holds pickled objects; ssl-core checkpoints hold tensors only")
        metadata.storage_meta = StorageMeta(load_id=self.load_id)
        return metadata


@contextmanager
def _single_process_quiet() -> Iterator[None]:
    """Without a process group DCP warns that it assumes one process: that is intended here."""
    with warnings.catch_warnings():
        if not dist.is_initialized():
            warnings.filterwarnings("ignore", message="torch.distributed is disabled", category=UserWarning)
        yield


def _staging_dir(path: Path) -> Path:
    """A fresh temporary folder next to ``path``, the same on every rank (rank 0 creates it)."""
    name = [str(sibling_temp_dir(path))] if dist.is_main() else [""]
    if dist.is_initialized():
        torch.distributed.broadcast_object_list(name, src=0)
    return Path(name[0])


def _publish(tmp: Path, path: Path) -> None:
    """Rename the complete staged folder ``tmp`` onto ``path`` (replacing an older one)."""
    if not path.exists():
        os.replace(tmp, path)
        return
    old = sibling_temp_dir(path)
    os.replace(path, old / path.name)
    os.replace(tmp, path)
    shutil.rmtree(old, ignore_errors=True)


def save_sharded(state: dict[str, Any], path: Path) -> None:
    """Write ``state`` (model/optimizer may hold ``DTensor`` shards) as the DCP directory ``path``.

    Collective: every rank calls it with its own shards. Tensors go to DCP; the rest, from rank 0,
    to ``meta.pt``. The staged folder replaces ``path`` only after every rank has finished.
    """
    path = Path(path)
    tmp = _staging_dir(path)
    tensors, rest = split_tensors(state)
    try:
        with _single_process_quiet():
            dcp.save(tensors, checkpoint_id=str(tmp))
        if dist.is_main():
            torch.save(rest, tmp / META)
        dist.barrier()
    except BaseException:
        if dist.is_main():
            shutil.rmtree(tmp, ignore_errors=True)
        raise
    if dist.is_main():
        _publish(tmp, path)


def load_sharded(path: Path, module: nn.Module, optimizer: Optimizer | None = None) -> dict[str, Any]:
    """Read a DCP checkpoint into the layout of ``module`` (sharded or not) and ``optimizer``.

    Returns the checkpoint dict with ``"model"`` / ``"optimizer"`` as
    ``torch.distributed.checkpoint.state_dict`` state dicts of this module's current layout
    (``"layout": "dcp"``), ready for ``set_model_state_dict`` / ``set_optimizer_state_dict``.
    Collective when a process group exists.

    Raises:
        CheckpointError: missing ``meta.pt``, bad metadata, or tensors that do not fit the module.
    """
    from torch.distributed.checkpoint.state_dict import get_model_state_dict, get_state_dict

    path = Path(path)
    try:
        rest = torch.load(path / META, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt file
        raise CheckpointError(f"{path / META}: cannot load ({type(exc).__name__}: {exc})") from exc
    if optimizer is None:
        target: dict[str, Any] = {"model": get_model_state_dict(module)}
    else:
        model_sd, optim_sd = get_state_dict(module, optimizer)
        target = {"model": model_sd, "optimizer": optim_sd}
    tensors, _ = split_tensors(target)
    reader = SafeReader(str(path))
    reader.read_metadata()  # refuse foreign metadata here, with its own message
    try:
        with _single_process_quiet():
            dcp.load(tensors, checkpoint_id=str(path), storage_reader=reader)
    except Exception as exc:  # noqa: BLE001 - DCP raises CheckpointException / RuntimeError / KeyError
        raise CheckpointError(f"{path}: checkpoint does not match the recipe's module: {exc}") from exc
    out = dict(rest)
    out.update(merge_tensors(tensors, {k: rest.get(k, {}) for k in target}))
    out["layout"] = "dcp"
    return out
