"""Test helpers of the speech plugin: synthetic voiced signals, tiny recipe sizes, parallel utterance keys."""

from __future__ import annotations

import numpy as np

TINY_ARGS = {"dim": 32, "layers": 1, "heads": 2, "ffn": 64, "segment_frames": 48}
TINY_VC_ARGS = {**TINY_ARGS, "content_dim": 8, "content_hidden": 16, "acoustic_hidden": 16, "disc_hidden": 16}


def voice(f0: float, seconds: float = 1.0, sr: int = 16_000, seed: int = 0, vowel: int = 0) -> np.ndarray:
    """A synthetic voiced signal: harmonics of ``f0`` shaped by a formant, amplitude-modulated syllables."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    formant = 500.0 + 300.0 * vowel
    wave = sum(
        np.sin(2 * np.pi * k * f0 * t) * np.exp(-(((k * f0 - formant) / 400.0) ** 2)) for k in range(1, 30)
    )
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3.0 * t) ** 2
    signal = wave * envelope / np.max(np.abs(wave))
    return (0.5 * signal + 0.003 * rng.standard_normal(len(t))).astype(np.float32)


def tiny_vc(spk_kernel: int = 5, **kw: object):  # noqa: ANN201 - the plugin's VoiceConversionMethod
    """A seeded tiny voice-conversion module; ``kw`` goes to ``VoiceConversionMethod``."""
    import torch
    from ssl_plugin_speech.config import VCArgs
    from ssl_plugin_speech.encoders import AcousticModel, ContentEncoder, FrameDiscriminator
    from ssl_plugin_speech.method import build_tera
    from ssl_plugin_speech.vc import VoiceConversionMethod

    torch.manual_seed(0)
    args = VCArgs(**TINY_VC_ARGS)
    return VoiceConversionMethod(
        build_tera(args),
        ContentEncoder(args.dim, 16, 8),
        AcousticModel(8, 16, 80, blocks=2),
        FrameDiscriminator(8, 16, kernel=spk_kernel),
        FrameDiscriminator(80, 16),
        **kw,  # type: ignore[arg-type]
    )


def parallel_utts(n_spk: int = 3, n_sent: int = 4):  # noqa: ANN201 - list of the plugin's Utterance
    """Audio-less utterances ``s<k>_<nnn>``: every speaker reads every sentence (for the probes)."""
    from ssl_plugin_speech.corpus import Utterance

    return [
        Utterance(None, f"s{s}", f"s{s}_{k:03d}", "", np.zeros(1), None)  # type: ignore[arg-type]
        for s in range(n_spk)
        for k in range(n_sent)
    ]
