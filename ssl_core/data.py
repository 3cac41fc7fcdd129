"""In-memory datasets and collation for the engine.

:class:`TensorDictDataset` holds named tensors sharing a leading dimension and serves whole batches
through ``__getitems__`` (one fancy-indexing call per tensor instead of one Python call per sample).
:func:`default_collate` turns either a list of per-sample batches or an already batched mapping into a
:data:`~ssl_core.interfaces.Batch`. :func:`fetch_batch` is what the engine uses to read a batch of
indices from any map-style dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ssl_core.errors import DataError
from ssl_core.interfaces import Batch

__all__ = ["TensorDictDataset", "default_collate", "fetch_batch"]


class TensorDictDataset(Dataset[Batch]):
    """A map-style dataset over named tensors that share their first dimension.

    Args:
        tensors: ``{name: tensor}``; every tensor must have the same ``len``.
        source: name used in error messages (a file path when the tensors were read from one).

    Raises:
        DataError: no tensors, a value that is not a tensor, a 0-d tensor, or mismatched lengths.
    """

    def __init__(self, tensors: Mapping[str, Tensor], *, source: str = "<tensors>") -> None:
        if not tensors:
            raise DataError(source, "<all>", "no tensors given")
        lengths: dict[str, int] = {}
        for name, value in tensors.items():
            if not isinstance(value, Tensor):
                raise DataError(source, name, f"expected a torch.Tensor, got {type(value).__name__}")
            if value.dim() == 0:
                raise DataError(source, name, "0-d tensor has no batch dimension")
            lengths[name] = value.shape[0]
        first = next(iter(lengths))
        for name, n in lengths.items():
            if n != lengths[first]:
                raise DataError(source, name, f"has {n} rows but {first!r} has {lengths[first]}")
        self.tensors: dict[str, Tensor] = dict(tensors)
        self._len = lengths[first]

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index: int) -> Batch:
        return {name: value[index] for name, value in self.tensors.items()}

    def __getitems__(self, indices: Sequence[int] | Tensor) -> Batch:
        """Return the rows ``indices`` of every tensor as one already-collated batch."""
        idx = indices if isinstance(indices, Tensor) else torch.as_tensor(indices, dtype=torch.long)
        return {name: value.index_select(0, idx.to(value.device)) for name, value in self.tensors.items()}


def _stack(key: str, values: list[Any]) -> Any:
    first = values[0]
    if isinstance(first, Tensor):
        shapes = {tuple(v.shape) for v in values}
        if len(shapes) != 1:
            raise DataError("<batch>", key, f"samples have different shapes {sorted(shapes)}; pass a collate")
        return torch.stack(values)
    if isinstance(first, bool | int | float):
        return torch.tensor(values)
    return list(values)


def default_collate(samples: Sequence[Mapping[str, Any]] | Mapping[str, Any]) -> Batch:
    """Stack per-sample dicts key by key into a batch; a mapping (already a batch) passes through.

    Tensors are stacked, Python numbers become a 1-d tensor, anything else is kept as a list.

    Raises:
        DataError: no samples, samples with different keys, or tensors of different shapes.
    """
    if isinstance(samples, Mapping):
        return dict(samples)
    if len(samples) == 0:
        raise DataError("<batch>", "<all>", "cannot collate an empty list of samples")
    keys = list(samples[0].keys())
    for sample in samples[1:]:
        if list(sample.keys()) != keys:
            raise DataError("<batch>", "<keys>", f"samples disagree on keys: {keys} vs {list(sample.keys())}")
    return {key: _stack(key, [sample[key] for sample in samples]) for key in keys}


def fetch_batch(
    dataset: Dataset[Any],
    indices: Tensor,
    collate: Callable[[Any], Batch] | None = None,
) -> Batch:
    """Read ``indices`` from ``dataset`` and collate them into a batch.

    A :class:`TensorDictDataset` without a custom ``collate`` is sliced in one batched call; a custom
    ``collate`` always receives a list of samples (from ``__getitems__`` when the dataset has one).
    """
    if isinstance(dataset, TensorDictDataset):
        if collate is None:
            return dataset.__getitems__(indices)
        return collate([dataset[i] for i in indices.tolist()])
    getitems = getattr(dataset, "__getitems__", None)
    samples = getitems(indices.tolist()) if getitems is not None else [dataset[i] for i in indices.tolist()]
    return (collate or default_collate)(samples)
