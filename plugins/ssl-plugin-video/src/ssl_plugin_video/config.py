"""The arguments of the ``video/qa`` recipe and the embedded default config (no torch import).

Kim, Jeong, Kim, Kang, Kwak, "Self-supervised pre-training and contrastive representation learning
for multiple-choice video QA" (AAAI 2021, arXiv 2009.08043). The paper does not give ``lambda_loc``,
``lambda_con``, ``tau`` or the masking rate; the defaults here are ours, chosen on the TVQA+ validation
split by ``bench/video_qa.py --tune`` (README: the sweep).
Every field is a ``recipe_args`` key; those in ``DomainSpec.options`` are also ``ssl-video pretrain``
options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ssl_core.schema import FieldValueError


@dataclass
class VideoQAArgs:
    """``recipe_args`` of ``video/qa`` (validated: unknown keys and wrong values are errors).

    Attributes:
        data: TVQA/TVQA+ ``.json``/``.jsonl`` or NExT-QA ``.csv``; ``None``: the embedded NExT-QA slice.
        features, features_fps: folder of per-clip frame features (``<clip>.npy`` / ``.h5``) and their rate.
        videos, frame_size: folder of per-clip videos decoded with PyAV, and the frame side in pixels.
        bin_seconds, max_frames, max_concepts: the context's time grid and concepts per bin.
        split_seed, val_fraction, test_fraction: the seeded split **by clip**.
        label_fraction: share of the training questions whose answer the main stage may use.
        vocab_size, max_q_len, max_a_len: the locally trained WordPiece tokenizer and input lengths.
        max_c_len: tokens of the clip's detected-labels segment in every text input (the paper feeds the
            object labels to BERT beside question and answer); 0 leaves the labels to the context stream.
        dim, depth, heads, ffn_dim, dropout: the BERT-style text encoder (from scratch).
        window: half-width (in bins) of the locally aligned attention.
        use_context: ``False``: the language-only model (question + answers).
        qp_candidates: questions per question-prediction choice (the true one + negatives).
        lambda_loc, lambda_con, tau, mask_prob: the main stage's loss weights, temperature, masking rate.
        ft_steps, ft_batch, eval_seeds: the main stage run by ``evaluate``.
        ft_lr, ft_lr_scratch: its learning rate from the pretrained weights and from random init (the
            no-SSL arm); chosen on the TVQA+ validation split with the loss weights (README).
    """

    data: str | None = None
    features: str | None = field(
        default=None, metadata={"help": "Folder of per-clip frame features <clip>.npy/.h5"}
    )
    videos: str | None = field(
        default=None, metadata={"help": "Folder of per-clip videos <clip>.mp4 (decoded with PyAV)"}
    )
    features_fps: float = 3.0
    frame_size: int = 32
    bin_seconds: float = 2.0
    max_frames: int = 48
    max_concepts: int = 6
    split_seed: int = 0
    val_fraction: float = 0.15
    test_fraction: float = 0.25
    label_fraction: float = field(
        default=1.0, metadata={"help": "Share of training questions with their answer used"}
    )
    vocab_size: int = 3000
    max_q_len: int = 24
    max_a_len: int = 16
    max_c_len: int = 24
    own_concepts: bool = False
    dim: int = 128
    depth: int = 2
    heads: int = 4
    ffn_dim: int = 256
    dropout: float = 0.1
    window: int = 2
    use_context: bool = True
    qp_candidates: int = 5
    lambda_loc: float = 1.0
    lambda_con: float = 0.5
    tau: float = 0.1
    mask_prob: float = 0.5
    ft_steps: int = 300
    ft_batch: int = 16
    ft_lr: float = 1.0e-3
    ft_lr_scratch: float = 2.0e-4
    eval_seeds: int = 3

    def __post_init__(self) -> None:
        ints = ("max_frames", "max_concepts", "vocab_size", "max_q_len", "max_a_len", "dim", "depth", "heads",
                "ffn_dim", "ft_steps", "ft_batch", "eval_seeds", "frame_size")  # fmt: skip
        for name in ints:
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        if self.dim % self.heads:
            raise FieldValueError("heads", f"must divide dim={self.dim}, got {self.heads}")
        if self.qp_candidates < 2:
            raise FieldValueError("qp_candidates", f"must be >= 2, got {self.qp_candidates}")
        if self.max_c_len < 0:
            raise FieldValueError("max_c_len", f"must be >= 0, got {self.max_c_len}")
        if self.window < 0:
            raise FieldValueError("window", f"must be >= 0, got {self.window}")
        for name in ("dropout", "val_fraction", "test_fraction", "mask_prob"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise FieldValueError(name, f"must be >= 0 and < 1, got {getattr(self, name)}")
        if self.val_fraction + self.test_fraction >= 1.0:
            raise FieldValueError("test_fraction", "val_fraction + test_fraction must be < 1")
        for name in ("label_fraction",):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise FieldValueError(name, f"must be > 0 and <= 1, got {getattr(self, name)}")
        for name in ("bin_seconds", "features_fps", "tau", "ft_lr", "ft_lr_scratch"):
            if not getattr(self, name) > 0:
                raise FieldValueError(name, f"must be > 0, got {getattr(self, name)}")
        for name in ("lambda_loc", "lambda_con"):
            if getattr(self, name) < 0:
                raise FieldValueError(name, f"must be >= 0, got {getattr(self, name)}")
        if self.features and self.videos:
            raise FieldValueError("videos", "give either a features folder or a videos folder, not both")


def default_config() -> dict[str, Any]:
    """The embedded default (``ssl-video pretrain`` with no argument): NExT-QA slice, language stream,
    question-prediction pretraining for 150 steps (about a minute on 2 CPU cores)."""
    return {
        "recipe": "video/qa",
        "recipe_args": {"vocab_size": 2000, "ft_steps": 150, "eval_seeds": 3},
        "train": {"steps": 150, "batch_size": 32, "log_every": 10, "monitor_every": 50, "ckpt_every": 150},
        "optim": {"name": "adamw", "lr": 1.0e-3, "weight_decay": 0.01,
                  "schedule": {"name": "warmup_cosine", "warmup_steps": 15}},
    }  # fmt: skip
