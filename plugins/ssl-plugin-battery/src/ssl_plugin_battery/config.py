"""The arguments of the ``battery/genev`` recipe and the embedded default config (no torch import).

GenEVBattery (Arunan et al., IEEE TII 2025) follows SimMTM's mechanics (Dong et al., NeurIPS 2023):
K = 3 geometrically masked copies (mean masked run 3, masked share 0.5), tau = 0.2. Of the values the
paper does not state (hidden size, lr, steps, fine-tuning schedule), the benchmark's were chosen on
validation cells (plugin README, deviation 3: tau 0.2 kept); the recipe defaults here stay SimMTM's
(fine-tuning lr 1e-3) with hidden 32, for the reasons given there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ssl_core.schema import FieldValueError

SOURCES = ("auto", "calce", "nasa", "csv", "packs", "parquet")


@dataclass
class GenEVArgs:
    """``recipe_args`` of ``battery/genev`` (validated: unknown keys and wrong values are errors).

    Attributes:
        data: CALCE workbook or folder, NASA-style folder, generic CSV, EV-pack ``.mat`` (v7.3),
            Parquet, or ``None`` for the embedded NASA PCoE slice.
        source: the format of ``data`` (``auto``: from the path).
        labels: optional CSV ``cell,cycle,capacity`` (Ah) overriding / adding per-cycle labels.
        rated_capacity: Ah that SOH 1.0 means (``0``: the format's own rating; 1.1 CALCE, 2.0 NASA).
        test_cells: cells held out for the downstream test (default: the last cell).
        window, grid_s, windows_per_curve: snippets of ``window`` steps on a ``grid_s`` time grid,
            ``windows_per_curve`` random starts (random start SOC) per charge curve.
        hidden, layers, proj_dim: BiLSTM hidden size per direction, layers, projector width (128).
        num_views, mask_ratio, mask_length, tau: SimMTM views and temperature.
        loss: ``full`` (contrastive + reconstruction), ``reconstruction`` or ``contrastive`` (ablations).
        label_fraction, ft_steps, ft_lr, eval_seeds: the downstream fine-tuning protocol (``ft_steps``
            Adam steps of batch 32 on the labelled snippets, from the ridge-probe head; 0: the probe alone).
    """

    data: str | None = None
    source: str = field(default="auto", metadata={"help": "Input format.", "choices": SOURCES})
    labels: str | None = field(default=None, metadata={"help": "CSV cell,cycle,capacity of per-cycle labels"})
    rated_capacity: float = field(default=0.0, metadata={"help": "Rated capacity in Ah (SOH 1.0)"})
    test_cells: list[str] = field(default_factory=list, metadata={"help": "Cells held out for testing"})
    window: int = 128
    grid_s: float = 10.0
    windows_per_curve: int = 8
    hidden: int = 32
    layers: int = 1
    proj_dim: int = 128
    num_views: int = 3
    mask_ratio: float = 0.5
    mask_length: float = 3.0
    tau: float = 0.2
    loss: str = "full"
    label_fraction: float = 0.1
    ft_steps: int = 300
    ft_lr: float = 1e-3
    eval_seeds: int = 3
    split_seed: int = 0

    def __post_init__(self) -> None:
        if self.source not in SOURCES:
            raise FieldValueError("source", f"must be one of {', '.join(SOURCES)}, got {self.source!r}")
        if self.loss not in ("full", "reconstruction", "contrastive"):
            raise FieldValueError("loss", f"must be full, reconstruction or contrastive, got {self.loss!r}")
        if self.ft_steps < 0:
            raise FieldValueError("ft_steps", f"must be >= 0, got {self.ft_steps}")
        for name in ("window", "windows_per_curve", "hidden", "layers", "proj_dim", "num_views",
                     "eval_seeds"):  # fmt: skip
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        if self.window < 8:
            raise FieldValueError("window", f"must be >= 8, got {self.window}")
        if not 0.0 < self.mask_ratio < 1.0:
            raise FieldValueError("mask_ratio", f"must be in (0, 1), got {self.mask_ratio}")
        if not 0.0 < self.label_fraction <= 1.0:
            raise FieldValueError("label_fraction", f"must be in (0, 1], got {self.label_fraction}")
        for name in ("grid_s", "tau", "ft_lr", "mask_length"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise FieldValueError(name, f"must be a finite number > 0, got {value}")
        if not (math.isfinite(self.rated_capacity) and self.rated_capacity >= 0):
            raise FieldValueError("rated_capacity", f"must be >= 0, got {self.rated_capacity}")


def default_config() -> dict[str, Any]:
    """Starter config: the embedded NASA PCoE slice (``ssl-battery pretrain`` with no argument)."""
    return {
        "recipe": "battery/genev",
        "recipe_args": {"windows_per_curve": 8, "ft_steps": 300},
        "train": {
            "steps": 300,
            "batch_size": 32,
            "clip_value": 1.0,
            "log_every": 10,
            "monitor_every": 100,
            "ckpt_every": 150,
        },
        "optim": {"name": "adam", "lr": 1.0e-3, "weight_decay": 0.0, "schedule": {"name": "constant"}},
    }
