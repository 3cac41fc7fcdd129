"""The speech SSL modules: TERA, and TERA + any-to-one voice conversion with adversaries.

Built from the arguments and the data object only: the fitted CMVN is copied into the front-end's
buffers; a ``tera_run``'s module comes from the data while training, else is rebuilt from ``tera_arch``.
"""

from __future__ import annotations

import dataclasses

from ssl_plugin_speech.config import TERAArgs, VCArgs
from ssl_plugin_speech.data import SpeechData
from ssl_plugin_speech.encoders import (
    AcousticModel,
    ContentEncoder,
    FrameDiscriminator,
    SpecHead,
    TERAEncoder,
)
from ssl_plugin_speech.features import DEFAULT_MEL, MelConfig
from ssl_plugin_speech.objectives import MaskedReconstructionLoss
from ssl_plugin_speech.tera import SpeechFrontend, TERAMethod
from ssl_plugin_speech.vc import VoiceConversionMethod
from ssl_plugin_speech.views import tera_alteration


def build_tera(args: TERAArgs, mel: MelConfig = DEFAULT_MEL) -> TERAMethod:
    """A fresh (untrained, CMVN at identity) TERA module from ``args``."""
    encoder = TERAEncoder(mel.n_mels, args.dim, args.layers, args.heads, args.ffn, args.dropout)
    alteration = tera_alteration(time=args.time, freq=args.freq, magnitude=args.magnitude)
    return TERAMethod(
        SpeechFrontend(mel),
        encoder,
        SpecHead(args.dim, mel.n_mels),
        alteration,
        MaskedReconstructionLoss("l1"),
        feature_layer=args.feature_layer,
        context=args.segment_frames,
    )


def tera_module(args: TERAArgs, data: SpeechData) -> TERAMethod:
    """``speech/tera``'s module (and VC's TERA part): the pretrained one, else a fresh one with the CMVN."""
    if data.pretrained is not None:
        return data.pretrained
    tera = build_tera(dataclasses.replace(args, **data.tera_arch))
    tera.frontend.cmvn.load_state_dict({"mean": data.cmvn_mean, "std": data.cmvn_std})
    return tera


def vc_module(args: VCArgs, data: SpeechData) -> VoiceConversionMethod:
    """``speech/vc``'s module: TERA + content encoder + acoustic model + the two discriminators."""
    tera = tera_module(args, data)
    classes = args.pseudo_speakers + 1 if args.pseudo_speakers > 0 else 1
    n_mels = tera.frontend.cmvn.mean.numel()
    frozen = bool(args.tera_run)
    return VoiceConversionMethod(
        tera.requires_grad_(False) if frozen else tera,
        ContentEncoder(tera.encoder.output_dim, args.content_hidden, args.content_dim),
        AcousticModel(args.content_dim, args.acoustic_hidden, n_mels, blocks=3),
        FrameDiscriminator(
            args.content_dim, args.disc_hidden, args.disc_layers, classes=classes, kernel=args.disc_kernel
        ),
        FrameDiscriminator(n_mels, args.disc_hidden),
        lambda_spk=args.lambda_spk,
        lambda_mel=args.lambda_mel,
        tera_weight=0.0 if frozen else args.tera_weight,
        instance_norm=args.instance_norm,
        grl_ramp=args.grl_ramp,
        disc_lr_scale=args.disc_lr_scale,
        segment_adversary=args.segment_adversary,
    )
