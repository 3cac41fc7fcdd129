"""Any-to-one voice conversion with adversarial speaker disentanglement, trained with one optimizer.

Zhao, Wang, Chao, Wu, Meng, "Adversarial Speaker Disentanglement Using Unannotated External Data
for Self-supervised Representation Based Voice Conversion", ICME 2023 (arXiv 2305.09167).

One step on a batch mixing target-speaker segments (``is_target = 1``) and unlabelled external
segments (``is_target = 0``)::

    L = w_tera L_TERA                              (SSL front-end, all segments)
      + L_rec                                      (L1: A(C(h)) vs the target's own mel)
      + L_spk(D_spk(GRL_{lambda_spk}(C(h))))       (BCE target vs external on content frames; or CE over
                                                    target + k-means pseudo-speakers, see ``pseudo_speakers``;
                                                    optionally + the same loss on segment means)
      + L_D(D_mel(real), D_mel(fake.detach()))     (LSGAN discriminator: real target vs converted external)
      + lambda_mel L_G(D_mel~(fake))               (LSGAN generator term through a parameter-frozen D_mel)

``h`` are the TERA encoder's frame features of the clean input, detached: the content encoder
``C`` sits *over* the self-supervised features as in the paper and does not fine-tune them.
The gradient-reversal layer (``ssl_core.nn.GradientReversal``; optionally with DANN's ramp of
its weight, driven by the engine's ``set_step``) lets D_spk minimise its loss while C maximises
it; the mel adversary instead evaluates the generator term through a copy of D_mel whose
parameters are detached (``torch.func.functional_call``), which gives exactly the LSGAN generator
loss ``(D(fake) - 1)^2`` without touching D_mel's own update. Both keep the engine's single
optimizer (see the plugin README).
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.func import functional_call

from ssl_core.interfaces import Batch, SSLModule, StepOutput
from ssl_core.nn import GradientReversal, lengths_to_mask, masked_mean
from ssl_plugin_speech.encoders import AcousticModel, ContentEncoder, FrameDiscriminator
from ssl_plugin_speech.objectives import (
    lsgan_discriminator_loss,
    lsgan_generator_loss,
    masked_l1,
    speaker_discriminator_loss,
)
from ssl_plugin_speech.tera import TERAMethod


def masked_instance_norm(x: Tensor, mask: Tensor, eps: float = 1e-5) -> Tensor:
    """Instance normalisation of ``x`` ``(B, T, C)`` over the valid frames of ``mask`` ``(B, T)``."""
    mean = masked_mean(x, mask, dim=1).unsqueeze(1)
    var = masked_mean((x - mean).square(), mask, dim=1).unsqueeze(1)
    return (x - mean) * torch.rsqrt(var + eps) * mask.to(x.dtype).unsqueeze(-1)


class VoiceConversionMethod(SSLModule):
    """TERA front-end + content encoder + acoustic model + speaker and mel discriminators.

    Args:
        tera: the TERA module (its encoder provides the SSL features).
        content: content encoder over TERA frame features.
        acoustic: content -> target speaker's normalised mel.
        spk_disc: discriminator on content frames (target vs external speakers).
        mel_disc: discriminator on mels (real target vs converted).
        lambda_spk: gradient-reversal strength of the speaker adversary (0 disables it).
        lambda_mel: weight of the LSGAN generator term (0 disables the mel adversary).
        tera_weight: weight of the TERA loss (0 when the TERA encoder is pretrained and frozen).
        instance_norm: normalise every content channel over time per utterance, without affine
            parameters (Chou, Yeh, Lee, "One-shot voice conversion by separating speaker and content
            representations with instance normalization", Interspeech 2019): removes per-utterance
            channel statistics, which carry speaker identity.
        grl_ramp: ramp the reversal weight from 0 to ``lambda_spk`` over the run (DANN, Ganin &
            Lempitsky 2015) instead of keeping it constant.
        disc_lr_scale: learning-rate multiplier of ``spk_disc`` under the engine's single optimizer
            (``optim_lr_scale``), so the discriminator can keep up with the content encoder.
        segment_adversary: weight of the speaker discriminator's segment-level term (its mean
            frame evidence per segment, see :func:`~ssl_plugin_speech.objectives.speaker_discriminator_loss`),
            reversed like the frame term: the content encoder must also hide the speaker from
            evidence accumulated over a segment, which is what an utterance-level probe reads.
    """

    def __init__(
        self,
        tera: TERAMethod,
        content: ContentEncoder,
        acoustic: AcousticModel,
        spk_disc: FrameDiscriminator,
        mel_disc: FrameDiscriminator,
        *,
        lambda_spk: float = 0.5,
        lambda_mel: float = 0.05,
        tera_weight: float = 1.0,
        instance_norm: bool = False,
        grl_ramp: bool = False,
        disc_lr_scale: float = 1.0,
        segment_adversary: float = 0.0,
    ) -> None:
        super().__init__()
        self.tera, self.content, self.acoustic = tera, content, acoustic
        self.spk_disc, self.mel_disc = spk_disc, mel_disc
        self.lambda_mel, self.tera_weight = lambda_mel, tera_weight
        self.instance_norm, self.segment_adversary = instance_norm, float(segment_adversary)
        self.grl = GradientReversal(lambda_spk, ramp=grl_ramp)
        spk_disc.optim_lr_scale = float(disc_lr_scale)  # read by ssl_core.optim.param_groups

    def content_frames(self, clean: Batch) -> Tensor:
        """Content embeddings ``(B, T, C)`` of a featurised batch (TERA features detached)."""
        with torch.no_grad():
            tokens = self.tera.features(clean)
        content = self.content(tokens)
        if not self.instance_norm:
            return content
        return masked_instance_norm(content, lengths_to_mask(clean["n_frames"], content.shape[1]))

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        clean = self.tera.frontend(batch)
        metrics: dict[str, Tensor] = {}
        loss = clean["features"].new_zeros(())
        if self.tera_weight > 0:
            tera_out = self.tera(clean, generator)  # the front-end passes a featurised batch through
            loss = loss + self.tera_weight * tera_out.loss
            metrics.update(tera_out.metrics)
        content = self.content_frames(clean)
        mask = lengths_to_mask(clean["n_frames"], content.shape[1])
        is_tgt = batch["is_target"].bool()
        mel = self.acoustic(content)
        rec = masked_l1(mel[is_tgt], clean["features"][is_tgt], mask[is_tgt])
        spk = self._speaker_adversary(content, mask, batch)
        loss = loss + rec + spk
        metrics.update({"loss/rec": rec.detach(), "loss/spk_disc": spk.detach()})
        if self.lambda_mel > 0 and is_tgt.any() and (~is_tgt).any():
            d_loss, g_loss = self._mel_adversary(clean["features"][is_tgt], mel[~is_tgt])
            loss = loss + d_loss + self.lambda_mel * g_loss
            metrics.update({"loss/mel_disc": d_loss.detach(), "loss/mel_gen": g_loss.detach()})
        pooled = masked_mean(content, mask, dim=1).detach()
        return StepOutput(loss, metrics, pooled)

    def _speaker_adversary(self, content: Tensor, mask: Tensor, batch: Batch) -> Tensor:
        logits = self.spk_disc(self.grl(content))
        labels = batch["spk_class"] if logits.dim() == 3 else batch["is_target"]
        return speaker_discriminator_loss(logits, labels, mask, self.segment_adversary)

    def _mel_adversary(self, real: Tensor, fake: Tensor) -> tuple[Tensor, Tensor]:
        d_loss = lsgan_discriminator_loss(self.mel_disc(real), self.mel_disc(fake.detach()))
        frozen = {k: v.detach() for k, v in self.mel_disc.named_parameters()}
        g_loss = lsgan_generator_loss(functional_call(self.mel_disc, frozen, (fake,)))
        return d_loss, g_loss

    @torch.no_grad()
    def convert(self, batch: Batch) -> Tensor:
        """Converted log-mel ``(B, T, F)`` (un-normalised, natural log power) of a waveform batch."""
        clean = self.tera.frontend(batch)
        mel = self.acoustic(self.content_frames(clean))
        return self.tera.frontend.cmvn.inverse(mel)

    def content_embed(self, batch: Batch) -> Tensor:
        """Frame-level content embeddings ``(B, T, C)`` of a waveform batch."""
        return self.content_frames(self.tera.frontend(batch))

    def embed(self, batch: Batch) -> Tensor:
        return self.tera.embed(batch)


__all__ = ["VoiceConversionMethod", "masked_instance_norm"]
