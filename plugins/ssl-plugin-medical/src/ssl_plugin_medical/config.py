"""The arguments of the ``medical/uni4eye`` recipe and the embedded default config (no torch import).

Uni4Eye (Cai et al., MICCAI 2022) on 28 px / 28^3 inputs: a ViT of width 64 and depth 4 with patch
4 (the paper: ViT-L/16 at 224 px), decoder width 32 and depth 1 (the paper: 512 x 8), mask ratio
0.75, ``lambda = 1`` for the gradient branch. Every field is a ``recipe_args`` key; those listed in
``DomainSpec.options`` (``plugin.py``) are also ``ssl-medical pretrain`` options.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ssl_core.schema import FieldValueError

DIMS = ("auto", "2d", "3d", "2d+3d")
WINDOW_CHOICES = ("auto", "percentile", "soft-tissue", "abdomen", "lung", "bone", "brain")


@dataclass
class Uni4EyeArgs:
    """``recipe_args`` of ``medical/uni4eye`` (validated: unknown keys and wrong values are errors).

    Attributes:
        data: DICOM file or series folder, NIfTI file, MedMNIST npz, PNG/JPEG folder; ``None`` for the
            embedded BreastMNIST (2D) + AdrenalMNIST3D (3D) copies.
        size, patch: input side (images ``size^2``, volumes ``size^3``) and patch side.
        patch_3d: patch side of the 3D branch (``None``: ``patch``, the paper's single ``p``).
        dim, depth, heads: the shared ViT encoder.
        dec_dim, dec_depth, dec_heads: the decoder.
        mask_ratio, grad_weight, norm_pix: masking and the loss (``grad_weight = 0``: MAE pixel-only).
        noise_std: Gaussian noise of the 3D augmentation (on the ``[0, 1]`` scale).
        batch_3d: volumes per 3D step (at most the batch size).
        split_seed, test_fraction: the seeded test split of a labelled folder without one.
        max_items: keep at most this many training items per dimensionality (all when ``None``).
        extra_3d: DICOM series / NIfTI volumes added to the 3D training items as ``size^3`` crops
            (:mod:`~ssl_plugin_medical.crops`); unlabelled, pretraining only.
        extra_3d_spacing, extra_3d_min_foreground: their isotropic spacing (mm) and the share of
            foreground voxels a crop needs to be kept.
        eval_seeds, probe_epochs, probe_lr, label_fraction, cnn_epochs, eval_max_train: evaluation.
    """

    data: str | None = None
    dims: str = field(default="auto", metadata={"help": "Which parts of the embedded data to use (auto: both).",
                                                "choices": DIMS})  # fmt: skip
    window: str = field(default="auto", metadata={"help": "CT window preset (auto: soft tissue for CT, "
                                                  "percentiles otherwise).", "choices": WINDOW_CHOICES})  # fmt: skip
    labels: str | None = field(default=None, metadata={"help": "Labels CSV of an image folder (file,label)."})
    size: int = 28
    patch: int = 4
    patch_3d: int | None = 7
    dim: int = 64
    depth: int = 4
    heads: int = 4
    dec_dim: int = 32
    dec_depth: int = 1
    dec_heads: int = 4
    mask_ratio: float = 0.75
    grad_weight: float = 1.0
    norm_pix: bool = False
    noise_std: float = 0.05
    batch_3d: int = 16
    split_seed: int = 0
    test_fraction: float = 0.2
    max_items: int | None = None
    extra_3d: list[str] = field(default_factory=list, metadata={"help": "Extra 3D volumes (DICOM series, "
                                                                "NIfTI) cut into size^3 crops for pretraining."})  # fmt: skip
    extra_3d_spacing: float = 1.4
    extra_3d_min_foreground: float = 0.25
    eval_seeds: int = 3
    probe_epochs: int = 100
    probe_lr: float = 1e-2
    label_fraction: float = 1.0
    cnn_epochs: int = 8
    eval_max_train: int | None = None

    def __post_init__(self) -> None:
        if self.dims not in DIMS:
            raise FieldValueError("dims", f"must be one of {', '.join(DIMS)}, got {self.dims!r}")
        if self.window not in WINDOW_CHOICES:
            raise FieldValueError(
                "window", f"must be one of {', '.join(WINDOW_CHOICES)}, got {self.window!r}"
            )
        for name in ("size", "patch", "dim", "depth", "heads", "dec_dim", "dec_depth", "dec_heads", "batch_3d",
                     "eval_seeds", "probe_epochs", "cnn_epochs"):  # fmt: skip
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        for name in ("patch", "patch_3d"):
            p = getattr(self, name)
            if p is not None and (p < 1 or self.size % p or self.size < 2 * p):
                raise FieldValueError(name, f"size {self.size} must be a multiple (>= 2x) of the patch {p}")
        if self.dim % self.heads or self.dec_dim % self.dec_heads:
            raise FieldValueError("heads", "dim and dec_dim must be multiples of heads and dec_heads")
        if (
            not 0.0 <= self.mask_ratio < 1.0
            or int((self.size // self.patch) ** 2 * (1 - self.mask_ratio)) < 1
        ):
            raise FieldValueError(
                "mask_ratio", f"must be in [0, 1) and leave a visible patch, got {self.mask_ratio}"
            )
        if self.extra_3d_spacing <= 0 or not 0.0 <= self.extra_3d_min_foreground <= 1.0:
            raise FieldValueError("extra_3d_spacing", "extra_3d_spacing must be > 0 and "
                                  "extra_3d_min_foreground in [0, 1]")  # fmt: skip
        if self.grad_weight < 0 or self.noise_std < 0:
            raise FieldValueError("grad_weight", "grad_weight and noise_std must be >= 0")
        if not 0.0 < self.label_fraction <= 1.0:
            raise FieldValueError("label_fraction", f"must be in (0, 1], got {self.label_fraction}")
        if not 0.0 <= self.test_fraction < 1.0:
            raise FieldValueError("test_fraction", f"must be in [0, 1), got {self.test_fraction}")
        for name in ("max_items", "eval_max_train"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise FieldValueError(name, f"must be >= 1 or null, got {value}")


def default_config() -> dict[str, Any]:
    """Starter config: the embedded joint 2D + 3D default (``ssl-medical pretrain`` with no argument)."""
    return {
        "recipe": "medical/uni4eye",
        "recipe_args": {},
        "train": {"steps": 1000, "batch_size": 64, "log_every": 50, "monitor_every": 100, "ckpt_every": 500},
        "optim": {
            "name": "adamw",
            "lr": 1.5e-3,
            "betas": [0.9, 0.95],
            "weight_decay": 0.05,
            "schedule": {"name": "warmup_cosine", "warmup_steps": 30},
        },
    }
