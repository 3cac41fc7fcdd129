"""TERA pretraining: the core masked-reconstruction method with the speech log-mel front-end.

Liu, Li, Lee, "TERA: Self-Supervised Learning of Transformer Encoder Representation for Speech",
IEEE/ACM TASLP 2021 (arXiv 2007.06028): the clean log-mel input is altered along time (blocks of 7
frames covering ~15%: 80% zeroed, 10% random frames, 10% unchanged), frequency (one zeroed band of
width U[0, 0.2 F]) and magnitude (p = 0.15 per batch, additive N(0, 0.2^2)); a transformer encoder
and a 2-layer head reconstruct the clean frames; the loss is L1 on the altered positions.

Training is :class:`ssl_core.methods.MaskedReconstructionMethod` unchanged: its ``frontend`` is
:class:`~ssl_plugin_speech.features.SpeechFrontend` (log-mel computed from the waveform batch on the
training device, normalised with the corpus CMVN statistics held as buffers), its views the core
``TERAAlteration``, its objective the core L1 ``MaskedReconstructionLoss``. :class:`TERAMethod` only
adds the downstream read-out: the hidden states of one encoder layer (``feature_layer``; TERA and
SUPERB probe hidden layers, not the head), computed over windows of the pretraining context length
(``context`` frames), so that a long utterance never shows the encoder positions it was not trained
on.

State dict: ``frontend.cmvn.{mean,std}``, ``encoder.*``, ``head.*`` - the key names of the speech
plugin's earlier stand-alone TERA module, so run directories written before the move still load
(tested against a checkpoint recorded with the old module).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, Objective, ViewGenerator
from ssl_core.methods import MaskedReconstructionMethod, run_frontend
from ssl_core.nn import masked_mean
from ssl_plugin_speech.encoders import SpecHead, TERAEncoder, batch_mask
from ssl_plugin_speech.features import SpeechFrontend

__all__ = ["SpeechFrontend", "TERAMethod"]


class TERAMethod(MaskedReconstructionMethod):
    """TERA: reconstruct clean log-mel frames from time/frequency/magnitude-altered ones.

    ``forward`` is the core method's (metrics ``loss/tera``, ``recon/l1``, ``recon/masked_frac``).

    Args:
        frontend: waveform -> normalised log-mel.
        encoder: the transformer encoder.
        head: the prediction head back to ``n_mels``.
        alteration: the core ``TERAAlteration`` view generator.
        objective: the core ``MaskedReconstructionLoss`` (L1).
        feature_layer: hidden state used as the representation (0 = input embedding, ``L`` = last
            layer); the last layer by default.
        context: window length in frames for :meth:`features` (the pretraining segment length);
            None runs the whole sequence at once.
    """

    frontend: SpeechFrontend
    encoder: TERAEncoder

    def __init__(
        self,
        frontend: SpeechFrontend,
        encoder: TERAEncoder,
        head: SpecHead,
        alteration: ViewGenerator,
        objective: Objective,
        *,
        feature_layer: int | None = None,
        context: int | None = None,
    ) -> None:
        super().__init__(
            alteration,
            encoder,
            head,
            objective,
            input_key="features",
            objective_name="tera",
            frontend=frontend,
        )
        n_layers = len(encoder.layers.layers)
        self.feature_layer = n_layers if feature_layer is None else feature_layer
        if not 0 <= self.feature_layer <= n_layers:
            raise ValueError(f"feature_layer must be in [0, {n_layers}], got {feature_layer}")
        if context is not None and context < 1:
            raise ValueError(f"context must be a positive number of frames, got {context}")
        self.context = context

    def features(self, clean: Batch) -> Tensor:
        """Hidden state ``feature_layer`` ``(B, T, D)`` of a featurised batch, in ``context``-frame windows."""
        feats, n_frames = clean["features"], clean.get("n_frames")
        total = feats.shape[1]
        width = self.context or total
        outs = []
        for start in range(0, total, width):
            part = {"features": feats[:, start : start + width]}
            if n_frames is not None:
                part["n_frames"] = (n_frames - start).clamp(1, width)
            outs.append(self.encoder.hidden_states(part, upto=self.feature_layer)[-1])
        return torch.cat(outs, 1)

    def tokens(self, batch: Batch) -> Tensor:
        """Frame-level representations ``(B, T, D)`` of the clean input (see :meth:`features`)."""
        return self.features(run_frontend(self.frontend, batch))

    def embed(self, batch: Batch) -> Tensor:
        """Mean of :meth:`tokens` over the valid frames."""
        clean = run_frontend(self.frontend, batch)
        return masked_mean(self.features(clean), batch_mask(clean), dim=1)
