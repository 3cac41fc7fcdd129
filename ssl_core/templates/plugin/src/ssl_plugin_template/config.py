"""The arguments of the ``template/default`` recipe and the embedded default config (no torch import).

Every field of the args dataclass is a ``recipe_args`` key (``--set recipe_args.dim=16``); the
fields listed in ``DomainSpec.options`` (``plugin.py``) are also ``pretrain`` options, with the
help text and choices given here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TemplateArgs:
    """``recipe_args`` of ``template/default`` (validated: unknown keys and wrong types are errors).

    Attributes:
        data: a ``.npz`` file with ``x`` (N, dim) float features and optional ``label`` (N,) ints;
            ``None`` makes Gaussian clusters at run time (the embedded default).
        n_samples, dim, n_classes, data_seed: the synthetic clusters (when ``data`` is ``None``).
        eval_fraction: share of the samples held out for evaluation.
        hidden, out_dim: encoder sizes.
        noise, mask_ratio: the two views (Gaussian jitter, random feature masking).
    """

    data: str | None = None
    n_samples: int = field(default=2048, metadata={"help": "Synthetic samples (without --data)."})
    dim: int = 32
    n_classes: int = 8
    data_seed: int = 0
    eval_fraction: float = 0.2
    hidden: int = field(default=64, metadata={"help": "Hidden width of the encoder MLP."})
    out_dim: int = 32
    noise: float = 0.3
    mask_ratio: float = 0.2

    def __post_init__(self) -> None:
        for name in ("n_samples", "dim", "n_classes", "hidden", "out_dim"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)}")
        if not 0.0 < self.eval_fraction < 1.0:
            raise ValueError(f"eval_fraction must be in (0, 1), got {self.eval_fraction}")


def default_config() -> dict[str, Any]:
    """The embedded default (``ssl-template pretrain`` with no argument, ``ssl init template``)."""
    return {
        "recipe": "template/default",
        "recipe_args": {"n_samples": 2048, "dim": 32, "n_classes": 8},
        "train": {"steps": 300, "batch_size": 128, "device": "auto", "log_every": 20, "ckpt_every": 100},
        "optim": {"name": "adamw", "lr": 3.0e-3, "weight_decay": 1.0e-4, "schedule": {"warmup_steps": 20}},
    }
