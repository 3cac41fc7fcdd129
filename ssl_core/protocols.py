"""The optional protocols of ssl-core: what a submodule, a front-end or a recipe's data object may
also implement, each found by the engine or the generic methods by duck typing.

Re-exported by :mod:`ssl_core.interfaces` (import them from there).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from torch import Tensor
    from torch.utils.data import Dataset

    from ssl_core.interfaces import Batch

__all__ = ["Frontend", "LrScaled", "NoWeightDecay", "Predictor", "RunData", "StepAware"]


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
