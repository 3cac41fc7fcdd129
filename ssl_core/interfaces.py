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
from typing import Any, ClassVar, NamedTuple, Protocol, runtime_checkable

import torch
from torch import Tensor, nn
from torch.utils.data import Dataset

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


@runtime_checkable
class StepAware(Protocol):
    """A submodule whose behaviour follows the training step (e.g. a ramped gradient-reversal weight).

    Before each optimizer step's forward pass the engine calls ``set_step(step, total_steps)`` on
    every submodule of the trained :class:`SSLModule` that defines it, like its learning-rate
    schedules: the value must be a pure function of the step, so resuming needs nothing else.
    """

    def set_step(self, step: int, total_steps: int) -> None:
        """Update step-dependent settings for global step ``step`` of ``total_steps``."""


@runtime_checkable
class LrScaled(Protocol):
    """A submodule trained at a multiple of the run's learning rate.

    The optimizer builder (:func:`ssl_core.optim.build_optimizer`) puts the parameters of every
    submodule with a float attribute ``optim_lr_scale != 1`` into their own parameter groups whose
    learning rate follows the run's schedule times that scale (e.g. an adversarial discriminator
    that must keep up with the encoder). The innermost module that sets it wins.
    """

    optim_lr_scale: float


@runtime_checkable
class NoWeightDecay(Protocol):
    """A submodule naming parameters that get no weight decay (the timm convention).

    ``no_weight_decay()`` returns parameter names relative to the submodule (position
    embeddings, CLS / register tokens ...); biases and normalisation weights never decay anyway.
    """

    def no_weight_decay(self) -> set[str]:
        """Names of this module's parameters excluded from weight decay."""


@runtime_checkable
class Predictor(Protocol):
    """An :class:`SSLModule` that also predicts: what a plugin's domain verbs call (``forecast`` ...).

    ``predict(batch)`` runs in eval mode under ``torch.no_grad()`` and returns the domain's
    prediction for each sample of the batch (e.g. the next horizon of a traffic series).
    """

    def predict(self, batch: Batch) -> Tensor:
        """The prediction for every sample of ``batch``."""


@runtime_checkable
class Frontend(Protocol):
    """Optional first stage of the generic methods: the raw batch -> the batch the views and encoder see.

    An ``nn.Module`` passed as ``frontend=`` to :class:`ssl_core.methods.MaskedReconstructionMethod`,
    :class:`ssl_core.methods.TwoViewMethod` or :class:`ssl_core.methods.JEPAMethod` (e.g. waveform ->
    normalised log-mel, DICOM volume -> resampled windowed voxels, frames -> patch tokens). The
    method runs it on every batch, already on the training device, *before* the view generator and
    the encoder, in :meth:`SSLModule.forward` as in :meth:`SSLModule.embed`
    (:func:`ssl_core.methods.run_frontend`):

    * it returns a new batch (usually the input's entries plus the derived ones, e.g.
      ``{**batch, "features": ..., "n_frames": ...}``) and does not modify its argument;
    * without trainable parameters it runs under ``torch.no_grad()``; with parameters that require
      gradients it is trained with the rest of the module;
    * its state (statistics fitted on the training data such as CMVN means, vocabularies, scalers)
      lives in registered buffers, so it is part of the module's ``state_dict``: checkpoints carry
      it and ``load_run`` restores it without reading the training data;
    * it is pure and draws no random numbers (the views do): two calls on the same batch agree.

    A front-end may pass a batch it has already processed through unchanged, so that a caller
    holding a processed batch can call the method on it directly.
    """

    def __call__(self, batch: Batch) -> Batch:
        """The processed batch."""


@runtime_checkable
class RunData(Protocol):
    """The data object of a recipe (:class:`ssl_core.recipe_builder.RecipeBuilder`).

    Attributes:
        train: the training dataset; ``None`` in a data object restored from a run directory.

    It may also define ``eval`` (held-out dataset with labels), ``label_key`` and ``collate``,
    which become the :class:`Recipe` fields of the same names. ``state_dict()`` returns what a
    run must keep to rebuild the module and evaluate it without the training files (fitted
    preprocessing, evaluation splits), loadable with ``torch.load(weights_only=True)``.
    """

    @property
    def train(self) -> Dataset[Any] | None:
        """The training dataset (``None`` once restored from a run directory)."""

    def state_dict(self) -> dict[str, Any]:
        """The fitted state and evaluation data kept in the run directory (``data.pt``)."""


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
