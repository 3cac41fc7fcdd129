"""Validated arguments of the speech recipes and the default config (torch-free, cheap to import)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

DEFAULT_HELDOUT = ["021", "022", "023", "024"]


@dataclass
class TERAArgs:
    """Arguments of ``speech/tera`` (sizes default to the tiny CPU config; paper: 768/3/12/3072).

    ``feature_layer`` is the encoder hidden state used downstream (probes, ``embed``, the VC content
    encoder's input): 0 is the input embedding, ``layers`` (or None) the last layer.
    """

    data: str | None = None
    segment_frames: int = 128
    dim: int = 128
    layers: int = 2
    heads: int = 4
    ffn: int = 512
    dropout: float = 0.1
    feature_layer: int | None = 1
    time: bool = True
    freq: bool = True
    magnitude: bool = True
    heldout_sentences: list[str] = field(default_factory=lambda: list(DEFAULT_HELDOUT))


@dataclass
class VCArgs(TERAArgs):
    """Arguments of ``speech/vc``: TERA's plus the conversion networks and adversary weights.

    ``tera_run`` names a finished ``speech/tera`` run directory: its encoder (and CMVN) is loaded
    and frozen, as with the paper's pretrained SSL front-end, and the TERA loss is switched off.
    ``pseudo_speakers = 0`` is the paper's binary speaker discriminator (target vs external);
    ``k > 0`` clusters the external utterances into ``k`` pseudo-speakers (k-means on utterance
    log-mel statistics, no labels) and makes the discriminator ``(k + 1)``-way.
    ``instance_norm`` normalises the content embeddings per utterance and channel (AdaIN-VC; not in
    the paper, set it to False for the paper's content encoder).
    Speaker adversary options (extensions; the defaults are the paper arm): ``grl_ramp`` ramps the
    reversal weight up to ``lambda_spk`` (DANN); ``disc_lr_scale`` multiplies the speaker
    discriminator's learning rate; ``disc_kernel`` / ``disc_layers`` set its temporal kernel
    (1: per-frame MLP) and depth; ``segment_adversary`` weights an extra discriminator term on each
    segment's mean frame evidence (what an utterance-level probe reads; 0 disables it).
    """

    target_speaker: str | None = None
    content_dim: int = 32
    content_hidden: int = 96
    acoustic_hidden: int = 128
    disc_hidden: int = 64
    lambda_spk: float = 0.5
    lambda_mel: float = 0.05
    tera_weight: float = 1.0
    tera_run: str | None = None
    pseudo_speakers: int = 0
    instance_norm: bool = True
    grl_ramp: bool = False
    disc_lr_scale: float = 1.0
    disc_kernel: int = 5
    disc_layers: int = 3
    segment_adversary: float = 0.0


STRONG_ADVERSARY: dict[str, Any] = {
    "disc_kernel": 1,
    "disc_layers": 5,
    "disc_hidden": 128,
    "disc_lr_scale": 20.0,
    "grl_ramp": True,
    "lambda_spk": 1.0,
    "segment_adversary": 1.0,
}
"""The stronger binary speaker adversary (the embedded default's; plugin README, Evidence): a deeper
per-frame MLP discriminator at 20x the learning rate, DANN-ramped reversal, plus the segment-level
term. The recipe's own defaults (``VCArgs``) are the paper arm."""

DEFAULT_CONFIG: dict[str, Any] = {
    "recipe": "speech/vc",
    "recipe_args": {
        "target_speaker": "p225",
        "segment_frames": 96,
        "ffn": 256,
        **STRONG_ADVERSARY,
    },
    "train": {
        "steps": 700,
        "batch_size": 8,
        "clip_grad": 5.0,
        "log_every": 20,
        "monitor_every": 350,
        "ckpt_every": 700,
    },
    "optim": {
        "name": "adamw",
        "lr": 2e-3,
        "weight_decay": 0.01,
        "schedule": {"name": "warmup_cosine", "warmup_steps": 30, "final_ratio": 0.1},
    },
}
"""``ssl-speech pretrain`` with no arguments (sized to about two minutes on a 2-core CPU)."""


def default_config() -> dict[str, Any]:
    """A fresh copy of :data:`DEFAULT_CONFIG`."""
    return copy.deepcopy(DEFAULT_CONFIG)
