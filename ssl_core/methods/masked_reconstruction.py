"""A generic masked-reconstruction method (MAE / TERA style): masked view -> encoder -> head -> loss.

He et al., 2022, "Masked Autoencoders Are Scalable Vision Learners", arXiv 2111.06377; Liu, Li, Lee,
2021, "TERA", arXiv 2007.06028.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, Batch, Objective, SSLModule, StepOutput, ViewGenerator, Views
from ssl_core.methods._views import output, pick_views, prefixed
from ssl_core.methods.frontend import run_frontend


class MaskedReconstructionMethod(SSLModule):
    """``view = views(batch)``; ``pred = head(encoder(view)["tokens"])``; ``objective(pred, target, mask)``.

    With a ``frontend`` (:class:`ssl_core.interfaces.Frontend`) the batch is first replaced by
    ``frontend(batch)``, on the training device, before the views and the encoder, in
    :meth:`forward` and :meth:`embed` alike (under ``no_grad`` unless the front-end has trainable
    parameters); its buffers are part of this module's ``state_dict`` under ``frontend.``. TERA is
    this method with a log-mel front-end.

    The view batch must hold the loss mask under ``mask_key`` (``(B, T)`` or ``(B, T, F)``, as produced
    by :class:`ssl_core.views.MaskingView` or :class:`ssl_core.views.TERAAlteration`). The target is
    the view's ``target_key`` entry when present (TERA stores the clean input there), else the
    *original* (front-end processed) batch's ``input_key``.

    Args:
        views: view generator producing the masked / altered view.
        encoder: encoder returning ``"tokens"`` ``(B, T, H)`` (and ``"pooled"`` for :meth:`embed`).
        head: maps ``(B, T, H)`` to predictions shaped like the target ``(B, T, F)``.
        objective: e.g. :class:`ssl_core.objectives.MaskedReconstructionLoss`.
        input_key: key of the clean input in the batch.
        view_key: which view to use (default: the first view holding ``mask_key``).
        mask_key: key of the loss mask in the view.
        target_key: key of an explicit reconstruction target in the view.
        objective_name: name used in the ``loss/<name>`` metric.
        frontend: optional module run on the batch first (e.g. waveform -> normalised log-mel).
    """

    def __init__(
        self,
        views: ViewGenerator,
        encoder: nn.Module,
        head: nn.Module,
        objective: Objective,
        *,
        input_key: str = "x",
        view_key: str | None = None,
        mask_key: str = "mask",
        target_key: str = "target",
        objective_name: str = "reconstruction",
        frontend: nn.Module | None = None,
    ) -> None:
        super().__init__()
        self.frontend = frontend  # registered first: parameter order = front-end, encoder, head
        self.views, self.encoder, self.head, self.objective = views, encoder, head, objective
        self.input_key, self.view_key, self.mask_key, self.target_key = (
            input_key,
            view_key,
            mask_key,
            target_key,
        )
        self.objective_name = objective_name
        self.batch_coupled = bool(objective.batch_coupled)

    def _target(self, view: Batch, batch: Batch) -> Tensor:
        if self.target_key in view:
            return view[self.target_key]
        if self.input_key not in batch:
            raise KeyError(
                f"MaskedReconstructionMethod: batch has no input {self.input_key!r} (got {sorted(batch)})"
            )
        return batch[self.input_key]

    def _view(self, views: Views) -> Batch:
        if self.view_key is not None:
            view = pick_views(views, [self.view_key], "MaskedReconstructionMethod")[0][1]
            if self.mask_key in view:
                return view
        else:
            for view in views.values():
                if self.mask_key in view:
                    return view
        raise KeyError(
            f"MaskedReconstructionMethod: no view {self.view_key or ''} holding a mask {self.mask_key!r} "
            f"(views: { {k: sorted(v) for k, v in views.items()} })"
        )

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        batch = run_frontend(self.frontend, batch)
        view = self._view(self.views(batch, generator))
        reps = self.encoder(view)
        pred = self.head(output(reps, TOKENS, "MaskedReconstructionMethod"))
        out = self.objective(pred, self._target(view, batch), view[self.mask_key])
        pooled = reps.get(POOLED)
        return StepOutput(
            out.loss,
            prefixed(out.metrics, out.loss, self.objective_name),
            None if pooled is None else pooled.detach(),
        )

    def embed(self, batch: Batch) -> Tensor:
        """Pooled representation of the unmasked (front-end processed) ``batch``."""
        return output(self.encoder(run_frontend(self.frontend, batch)), POOLED, "MaskedReconstructionMethod")
