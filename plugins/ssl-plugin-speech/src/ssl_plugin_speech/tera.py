"""TERA pretraining as an :class:`~ssl_core.interfaces.SSLModule`.

Liu, Li, Lee, "TERA: Self-Supervised Learning of Transformer Encoder Representation for Speech",
IEEE/ACM TASLP 2021 (arXiv 2007.06028): the clean log-mel input is altered along time (blocks of 7
frames covering ~15%: 80% zeroed, 10% random frames, 10% unchanged), frequency (one zeroed band of
width U[0, 0.2 F]) and magnitude (p = 0.15 per batch, additive N(0, 0.2^2)); a transformer encoder
and a 2-layer head reconstruct the clean frames; the loss is L1 on the altered positions.

Log-mel features are computed inside the module from the waveform batch (on the training device),
then normalised with the corpus CMVN statistics stored as buffers.

Downstream features (:meth:`TERAMethod.features`) are the hidden states of one encoder layer
(``feature_layer``; TERA and SUPERB probe hidden layers, not the head), computed over windows of
the pretraining context length (``context`` frames), so that a long utterance never shows the
encoder positions it was not trained on.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, Batch, SSLModule, StepOutput, ViewGenerator
from ssl_plugin_speech.encoders import SpecHead, TERAEncoder, batch_mask, masked_mean
from ssl_plugin_speech.features import CMVN, DEFAULT_MEL, LogMel, MelConfig
from ssl_plugin_speech.views import altered_view


class SpeechFrontend(nn.Module):
    """Waveform batch -> ``{"features": normalised log-mel (B, T, F), "n_frames": (B,)}``."""

    def __init__(self, mel: MelConfig = DEFAULT_MEL) -> None:
        super().__init__()
        self.logmel = LogMel(mel)
        self.cmvn = CMVN(mel.n_mels)

    def raw(self, batch: Mapping[str, Tensor]) -> Tensor:
        """Un-normalised log-mel of ``batch["wave"]``."""
        return self.logmel(batch["wave"])

    def forward(self, batch: Mapping[str, Tensor]) -> Batch:
        if "features" in batch:
            return dict(batch)
        feats = self.cmvn(self.raw(batch))
        n_frames = batch.get("n_frames")
        if n_frames is None:
            n_frames = torch.full((feats.shape[0],), feats.shape[1], device=feats.device, dtype=torch.long)
        return {**batch, "features": feats, "n_frames": n_frames}


class TERAMethod(SSLModule):
    """TERA: reconstruct clean log-mel frames from time/frequency/magnitude-altered ones.

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

    def __init__(
        self,
        frontend: SpeechFrontend,
        encoder: TERAEncoder,
        head: SpecHead,
        alteration: ViewGenerator,
        objective: nn.Module,
        *,
        feature_layer: int | None = None,
        context: int | None = None,
    ) -> None:
        super().__init__()
        self.frontend, self.encoder, self.head = frontend, encoder, head
        self.alteration = alteration
        self.objective = objective
        n_layers = len(encoder.layers.layers)
        self.feature_layer = n_layers if feature_layer is None else feature_layer
        if not 0 <= self.feature_layer <= n_layers:
            raise ValueError(f"feature_layer must be in [0, {n_layers}], got {feature_layer}")
        if context is not None and context < 1:
            raise ValueError(f"context must be a positive number of frames, got {context}")
        self.context = context

    def loss_on(self, clean: Batch, generator: torch.Generator | None) -> StepOutput:
        """TERA loss of an already featurised batch ``clean``."""
        view = altered_view(self.alteration, clean, generator)
        out = self.encoder(view)
        pred = self.head(out[TOKENS])
        res = self.objective(pred, clean["features"], view["mask"])
        return StepOutput(res.loss, {"loss/tera": res.loss.detach(), **res.metrics}, out[POOLED].detach())

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        return self.loss_on(self.frontend(batch), generator)

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
        return self.features(self.frontend(batch))

    def embed(self, batch: Batch) -> Tensor:
        clean = self.frontend(batch)
        return masked_mean(self.features(clean), batch_mask(clean))
