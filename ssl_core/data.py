"""In-memory datasets and collation for the engine.

:class:`TensorDictDataset` holds named tensors sharing a leading dimension and serves whole batches
through ``__getitems__`` (one fancy-indexing call per tensor instead of one Python call per sample).
:func:`default_collate` turns either a list of per-sample batches or an already batched mapping into a
:data:`~ssl_core.interfaces.Batch`. :func:`pad_collate` does the same for samples of different
lengths: it pads the named variable-length tensors and adds their lengths (valid masks follow with
:func:`ssl_core.nn.sequence.lengths_to_mask`). :func:`fetch_batch` is what the engine uses to read a
batch of indices from any map-style dataset.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ssl_core.errors import DataError
from ssl_core.interfaces import Batch

__all__ = ["TensorDictDataset", "default_collate", "fetch_batch", "pad_collate"]


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
    keys = _check_keys(samples)
    return {key: _stack(key, [sample[key] for sample in samples]) for key in keys}


def _check_keys(samples: Sequence[Mapping[str, Any]]) -> list[str]:
    if len(samples) == 0:
        raise DataError("<batch>", "<all>", "cannot collate an empty list of samples")
    keys = list(samples[0].keys())
    for sample in samples[1:]:
        if list(sample.keys()) != keys:
            raise DataError("<batch>", "<keys>", f"samples disagree on keys: {keys} vs {list(sample.keys())}")
    return keys


def _pad(name: str, values: list[Any], dim: int, value: float) -> tuple[Tensor, Tensor]:
    """Stack ``values`` padded with ``value`` along their dimension ``dim``; also their lengths."""
    if not all(isinstance(v, Tensor) for v in values):
        raise DataError("<batch>", name, "a padded entry must be a tensor in every sample")
    first: Tensor = values[0]
    if not -first.dim() <= dim < first.dim():
        raise DataError("<batch>", name, f"cannot pad dimension {dim} of a {first.dim()}-d tensor")
    dim %= first.dim()
    rest = {(v.dim(), *(s for i, s in enumerate(v.shape) if i != dim)) for v in values}
    if len(rest) != 1:
        raise DataError("<batch>", name, f"samples differ beyond dimension {dim}: {sorted(rest)}")
    kinds = {f"{v.dtype} on {v.device}" for v in values}
    if len(kinds) != 1:
        raise DataError("<batch>", name, f"samples differ in dtype or device: {sorted(kinds)}")
    lengths = [int(v.shape[dim]) for v in values]
    shape = list(first.shape)
    shape[dim] = max(lengths)
    out = first.new_full((len(values), *shape), value)
    for row, (v, n) in enumerate(zip(values, lengths)):
        out[row].narrow(dim, 0, n).copy_(v)
    return out, torch.tensor(lengths, dtype=torch.long, device=first.device)


def pad_collate(
    samples: Sequence[Mapping[str, Any]] | Mapping[str, Any],
    pad: Mapping[str, int] | Sequence[str],
    *,
    value: float = 0.0,
    lengths_key: str | None = None,
) -> Batch:
    """Collate samples whose named tensors differ in length: pad them, record the lengths, stack the rest.

    Each entry named in ``pad`` is padded with ``value`` at the end of its variable dimension to the
    longest sample's length and stacked (a sample's dimension ``d`` becomes the batch's ``d + 1``);
    its per-sample lengths go to ``"<name>_lengths"`` (``(B,)`` long), or to the one key
    ``lengths_key`` when every padded entry has the same length within each sample. Dtype and device
    of each tensor are kept; zero-length entries are allowed. Every other key is collated like
    :func:`default_collate`. A mapping (an already collated batch) passes through unchanged. As a
    :attr:`~ssl_core.interfaces.Recipe.collate`: ``functools.partial(pad_collate, pad={"wave": 0})``.

    Args:
        samples: per-sample dicts with the same keys.
        pad: ``{name: variable dimension of the per-sample tensor}``, or names (dimension 0).
        value: the padding value.
        lengths_key: one shared lengths key instead of ``"<name>_lengths"``.

    Raises:
        DataError: no samples, different keys, a padded entry missing or not a tensor, samples that
            differ in another dimension or dtype, a lengths key that already exists, or (with
            ``lengths_key``) entries of different lengths within a sample.
    """
    if isinstance(samples, Mapping):
        return dict(samples)
    keys = _check_keys(samples)
    dims = dict(pad) if isinstance(pad, Mapping) else dict.fromkeys(pad, 0)
    missing = [name for name in dims if name not in keys]
    if missing:
        raise DataError("<batch>", missing[0], f"no such entry to pad (samples have {keys})")
    out_keys = [lengths_key] if lengths_key else [f"{name}_lengths" for name in dims]
    for key in out_keys:
        if key in keys:
            raise DataError("<batch>", key, "the samples already hold this key; pass another lengths_key")
    batch: Batch = {}
    lengths: dict[str, Tensor] = {}
    for key in keys:
        values = [s[key] for s in samples]
        if key in dims:
            batch[key], lengths[key] = _pad(key, values, dims[key], value)
        else:
            batch[key] = _stack(key, values)
    if lengths_key is None:
        return batch | {f"{name}_lengths": lens for name, lens in lengths.items()}
    for name, lens in lengths.items():
        if lens.tolist() != next(iter(lengths.values())).tolist():
            raise DataError(
                "<batch>", name, f"its lengths differ from the other padded entries ({lengths_key})"
            )
        batch[lengths_key] = lens
    return batch


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
