"""The public interfaces of ssl-core: Encoder, ViewGenerator, Objective, SSLModule and Recipe.

Everything in ssl-core speaks *batches*: a ``dict`` mapping names to tensors that share a leading
batch dimension (plus optional non-tensor metadata). Nothing here assumes images.

Data flow of one training step (see ``docs/architecture.md``)::

    batch --Frontend (optional)--> batch
          --ViewGenerator--> {view name: view batch}
          --Encoder(s)-----> {"pooled": (B, D), "tokens": (B, T, D)?}
          --Objective(s)---> ObjectiveOutput(loss, metrics)
    SSLModule.forward bundles the three and returns a StepOutput the engine back-propagates.

A :class:`Recipe` ties a dataset, an SSLModule and optimisation settings into the unit the engine
trains; plugins register recipe *factories* by name (``domain/name``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, NamedTuple

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

from ssl_core.protocols import Frontend, LrScaled, NoWeightDecay, Predictor, RunData, StepAware

__all__ = [
    "POOLED",
    "TOKENS",
    "Batch",
    "EmbeddingObjective",
    "Encoder",
    "Frontend",
    "LrScaled",
    "NoWeightDecay",
    "Objective",
    "ObjectiveOutput",
    "Predictor",
    "Recipe",
    "RunData",
    "SSLModule",
    "StepAware",
    "StepOutput",
    "ViewGenerator",
    "Views",
]

Batch = dict[str, Any]
"""A batch: named tensors sharing the leading batch dimension, plus optional metadata."""

Views = dict[str, Batch]
"""Named views of one batch; each view is itself a batch (masks live inside it, e.g. ``"mask"``)."""

POOLED = "pooled"
"""Key of the pooled ``(B, D)`` representation in an encoder's output."""
TOKENS = "tokens"
"""Key of the optional token/node-level ``(B, T, D)`` features in an encoder's output."""


class Encoder(nn.Module, ABC):
    """Turns a batch (or a view) into representations.

    Subclasses set :attr:`output_dim` and return a dict with at least :data:`POOLED` of shape
    ``(B, output_dim)``; they may add :data:`TOKENS` ``(B, T, output_dim)`` or any other named
    feature (for example node-level features of a graph encoder).
    """

    output_dim: int

    @abstractmethod
    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """Encode ``batch`` and return named representations (``"pooled"`` is required)."""


class ViewGenerator(ABC):
    """Turns a batch into named views and masks, batched and on the batch's device.

    Implementations draw every random number from ``generator`` (a ``torch.Generator`` living on
    the batch's device) so that two calls with equally seeded generators give identical views,
    and never loop over samples in Python on the hot path.
    """

    view_names: tuple[str, ...] = ()

    @abstractmethod
    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        """Return ``{view name: view batch}`` for ``batch``."""


class ObjectiveOutput(NamedTuple):
    """What an objective returns: a scalar loss and detached scalar metrics."""

    loss: Tensor
    metrics: dict[str, Tensor]


class Objective(nn.Module, ABC):
    """A loss over encoder outputs.

    Class attributes tell the engine how the loss may be computed:

    * ``batch_coupled``: the loss of one sample depends on other samples of the batch
      (contrastive, VICReg, Barlow Twins ...). Such objectives gather across ranks with
      :func:`ssl_core.distributed.gather_with_grad` and cannot be accumulated naively.
    * ``needs_teacher``: the objective consumes outputs of an EMA teacher.

    Objectives have explicit ``forward`` signatures; the embedding family shares the
    :class:`EmbeddingObjective` signature so it can be wrapped and composed generically.
    """

    batch_coupled: ClassVar[bool] = False
    needs_teacher: ClassVar[bool] = False


class EmbeddingObjective(Objective):
    """An objective over two or more ``(B, D)`` embeddings of the same samples (one per view)."""

    @abstractmethod
    def forward(self, *views: Tensor) -> ObjectiveOutput:
        """Compute the loss from the per-view embeddings (row ``i`` of each is sample ``i``)."""


@dataclass
class StepOutput:
    """What :meth:`SSLModule.forward` returns for one training step.

    Attributes:
        loss: scalar loss to back-propagate (already weighted and summed over objectives).
        metrics: detached scalars to log (``{"loss/ntxent": ..., "acc/pos": ...}``).
        embeddings: optional ``(B, D)`` encoder representations used by label-free monitors.
    """

    loss: Tensor
    metrics: dict[str, Tensor] = field(default_factory=dict)
    embeddings: Tensor | None = None


class SSLModule(nn.Module, ABC):
    """One SSL method as a module: views -> encoder(s) -> objective(s) for a training step.

    The engine only calls :meth:`forward`, :meth:`ema_pairs` and :meth:`embed`; it never needs to
    know the method. Methods whose loss is batch-coupled set ``batch_coupled = True``. To support
    gradient accumulation of batch-coupled losses (GradCache), they also implement
    :meth:`encode` and :meth:`loss_from_embeddings`, which split ``forward`` at the embeddings.
    """

    batch_coupled: bool = False

    @abstractmethod
    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        """Run one training step's forward pass on ``batch`` and return the loss and metrics."""

    def ema_pairs(self) -> Sequence[tuple[nn.Module, nn.Module]]:
        """``(student, teacher)`` pairs the engine updates by EMA after each optimizer step."""
        return ()

    def embed(self, batch: Batch) -> Tensor:
        """The frozen representation ``(B, D)`` used by probes, monitors and ``embed`` commands."""
        raise TypeError(f"{type(self).__name__} does not define embed()")

    def encode(self, batch: Batch, generator: torch.Generator | None = None) -> dict[str, Tensor]:
        """GradCache phase 1: the tensors that couple samples (e.g. per-view embeddings)."""
        raise TypeError(f"{type(self).__name__} does not support cached-embedding accumulation")

    def loss_from_embeddings(self, embeddings: Mapping[str, Tensor], batch: Batch) -> StepOutput:
        """GradCache phase 2: the loss from the (concatenated) output of :meth:`encode`."""
        raise TypeError(f"{type(self).__name__} does not support cached-embedding accumulation")

    @property
    def supports_cached_accumulation(self) -> bool:
        """Whether :meth:`encode` / :meth:`loss_from_embeddings` are implemented."""
        return type(self).encode is not SSLModule.encode


@dataclass
class Recipe:
    """Dataset + SSLModule: the unit the engine trains.

    Attributes:
        name: registry key, ``domain/name``.
        module: the SSL method to train.
        train_data: a map-style dataset of per-sample batches (or one supporting ``__getitems__``);
            ``None`` in a recipe restored from a run directory for evaluation only.
        eval_data: optional held-out dataset (carrying labels, if any, under ``label_key``).
        label_key: name of the label tensor in batches, used by online probes when present.
        collate: optional collate function; default stacks tensors key by key.
        data: the recipe's data object (:class:`RunData`) that evaluation, ``embed`` and the
            plugin's domain verbs read (fitted preprocessing, splits); its ``state_dict()`` is
            saved with the run.
        estimate_memory: optional ``per_rank_batch -> ssl_core.resources.MemoryEstimate``: the peak
            memory of one step, checked before the run directory is written.
    """

    name: str
    module: SSLModule
    train_data: Dataset[Any] | None
    eval_data: Dataset[Any] | None = None
    label_key: str | None = None
    collate: Callable[[list[Batch]], Batch] | None = None
    data: Any = None
    estimate_memory: Callable[[int], Any] | None = None
