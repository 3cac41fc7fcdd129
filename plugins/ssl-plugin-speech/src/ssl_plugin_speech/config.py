"""Arguments of the speech recipes and the embedded default config (torch-free, cheap to import).

Every field is a ``recipe_args`` key (``--set recipe_args.dim=256``); the fields in
``DomainSpec.options`` (``plugin.py``) are also ``ssl-speech pretrain`` options, helped by their
``Attributes:`` line here.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from ssl_core.schema import FieldValueError

DEFAULT_HELDOUT = ["021", "022", "023", "024"]
EMBEDDED_TARGET = "p225"
"""The target speaker on the embedded VCTK subset (``target_speaker`` unset and no ``data``)."""


@dataclass
class TERAArgs:
    """Arguments of ``speech/tera`` (sizes default to the tiny CPU config; paper: 768/3/12/3072).

    Attributes:
        data: a folder or file of .wav/.flac/.ogg, optional metadata.tsv (None: the embedded VCTK).
        feature_layer: encoder hidden state used downstream (probes, embed, the VC content
            encoder's input): 0 is the input embedding, ``layers`` (or None) the last layer.
        heldout_sentences: Sentence keys held out of training (the conversion test set).
        eval_max_utterances: utterances kept in the run for evaluate (the first in path order).
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
    eval_max_utterances: int = 500

    def __post_init__(self) -> None:
        for name in ("segment_frames", "dim", "layers", "heads", "ffn", "eval_max_utterances"):
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        if self.dim % self.heads:
            raise FieldValueError("heads", f"must divide dim ({self.dim}), got {self.heads}")
        if not 0.0 <= self.dropout < 1.0:
            raise FieldValueError("dropout", f"must be >= 0 and < 1, got {self.dropout}")


TERA_ARCH = ("segment_frames", "dim", "layers", "heads", "ffn", "dropout", "feature_layer", "time", "freq", "magnitude")  # fmt: skip
"""The ``TERAArgs`` fields that shape the TERA module (copied from a ``tera_run``)."""


@dataclass
class VCArgs(TERAArgs):
    """Arguments of ``speech/vc``: TERA's plus the conversion networks and adversary weights.

    Speaker adversary options beyond the paper (the defaults are the paper arm): ``grl_ramp`` ramps
    the reversal weight up to ``lambda_spk`` (DANN); ``disc_lr_scale`` multiplies the speaker
    discriminator's learning rate; ``disc_kernel`` / ``disc_layers`` set its temporal kernel (1:
    per-frame MLP) and depth; ``segment_adversary`` weights an extra discriminator term on each
    segment's mean frame evidence (what an utterance-level probe reads; 0 disables it).

    Attributes:
        target_speaker: Speaker to convert to (default: p225 without --data, else the one with most audio).
        lambda_spk: Speaker adversary weight (0: no speaker adversary).
        heldout_sentences: Sentence keys held out of training (the conversion test set).
        tera_run: A finished speech/tera run directory: its encoder (and CMVN) is loaded and
            frozen, as the paper's pretrained SSL front-end, and the TERA loss is switched off.
        pseudo_speakers: 0: the paper's binary speaker discriminator (target vs external); k > 0:
            k-means pseudo-speakers of the external utterances, a (k + 1)-way discriminator.
        instance_norm: normalise content embeddings per utterance and channel (AdaIN-VC; not in the paper).
    """

    target_speaker: str | None = None
    content_dim: int = 32
    content_hidden: int = 96
    acoustic_hidden: int = 128
    disc_hidden: int = 64
    lambda_spk: float = 0.5
    lambda_mel: float = 0.05
    tera_weight: float = 1.0
    tera_run: str | None = field(default=None, metadata={"path": True})
    pseudo_speakers: int = 0
    instance_norm: bool = True
    grl_ramp: bool = False
    disc_lr_scale: float = 1.0
    disc_kernel: int = 5
    disc_layers: int = 3
    segment_adversary: float = 0.0


STRONG_ADVERSARY: dict[str, Any] = {"disc_kernel": 1, "disc_layers": 5, "disc_hidden": 128, "disc_lr_scale": 20.0,
                                     "grl_ramp": True, "lambda_spk": 1.0, "segment_adversary": 1.0}  # fmt: skip
"""The stronger binary speaker adversary (the embedded default's; plugin README, Evidence): a deeper
per-frame MLP discriminator at 20x the learning rate, DANN-ramped reversal, plus the segment-level
term. The recipe's own defaults (``VCArgs``) are the paper arm."""

DEFAULT_CONFIG: dict[str, Any] = {
    "recipe": "speech/vc",
    "recipe_args": {"segment_frames": 96, "ffn": 256, **STRONG_ADVERSARY},
    "train": {"steps": 700, "batch_size": 8, "clip_grad": 5.0, "log_every": 20, "monitor_every": 350,
              "ckpt_every": 700},
    "optim": {"name": "adamw", "lr": 2e-3, "weight_decay": 0.01,
              "schedule": {"name": "warmup_cosine", "warmup_steps": 30, "final_ratio": 0.1}},
}  # fmt: skip
"""``ssl-speech pretrain`` with no arguments (sized to about two minutes on a 2-core CPU). The
target speaker is left unset: p225 on the embedded data, the speaker with most audio on ``--data``."""


def default_config() -> dict[str, Any]:
    """A fresh copy of :data:`DEFAULT_CONFIG`."""
    return copy.deepcopy(DEFAULT_CONFIG)
