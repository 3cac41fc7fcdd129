"""The arguments of the ``tabular/tjepa`` recipe and the embedded default config (no torch import).

Defaults are the paper's launch-script sizes (Thimonier et al., ICLR 2025: 16 x 64 encoder, 2 heads,
FFN 64, 16 x 16 predictor with 4 heads, one [REG] token, 4 target sets, Jannis mask shares) except the
predictor's feed-forward block (here FFN 64, GELU, pre-norm, no dropout; the official code: FFN 256,
ReLU, post-norm, dropout 0.0019): :data:`OFFICIAL_LAUNCH_ARGS` is the launch script exactly. Every
field is a ``recipe_args`` key; those in ``DomainSpec.options`` (``plugin.py``) are also
``ssl-tabular pretrain`` options, with the help text and choices given here once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ssl_core.schema import FieldValueError

TASKS = ("auto", "classification", "regression")
DEFAULT_TOKEN_STD = 1.0
"""The default ``token_std``: T-JEPA's 0.02 starts (and on Adult ends) nearly collapsed; unit-scale
tokens do not, at the same probe accuracy (docs/benchmarks.md, "Token initialisation")."""
PAPER_TOKEN_STD = 0.02
"""T-JEPA's token initialisation (the benches' paper-faithful runs set it)."""


@dataclass
class TJEPAArgs:
    """``recipe_args`` of ``tabular/tjepa`` (validated: unknown keys and wrong values are errors).

    Attributes:
        data: CSV file, Adult folder, rtdl folder, or ``None`` for the embedded Adult copy.
        split_seed, val_fraction, test_fraction: the seeded split of a single CSV (Adult: val only).
        dim, depth, heads, ffn_dim, dropout, n_cls: encoder.
        token_std: std of the initial token weights; ``None``: ``DEFAULT_TOKEN_STD`` (1.0; T-JEPA's
            is ``PAPER_TOKEN_STD``, 0.02; see ``method.token_init_std``).
        pred_dim, pred_depth, pred_heads, pred_ffn_dim, pred_activation, pred_norm_first, pred_dropout:
            predictor (``pred_dropout`` ``None``: the encoder's ``dropout``). The defaults keep the
            I-JEPA-style predictor (FFN ``4 * pred_dim``, GELU, pre-norm); :data:`OFFICIAL_LAUNCH_ARGS`
            holds the official launch script's values (FFN 256, ReLU, post-norm).
        ctx_range, tgt_range, num_targets: mask sampling.
        eval_seeds, probe_epochs, probe_lr, probe_hidden: downstream evaluation.
        eval_max_train: downstream MLPs train on the first ``eval_max_train`` training rows (all
            when ``None``); the run keeps only those rows.
        probe_select_every: when > 0, early stopping: the downstream MLP's epoch count is chosen on the
            validation split among ``probe_select_every, 2 * probe_select_every, ... <= probe_epochs``.
    """

    data: str | None = None
    target: str | None = field(
        default=None, metadata={"help": "Label column of a CSV (Adult and rtdl folders know theirs)."}
    )
    numeric: list[str] = field(default_factory=list, metadata={"help": "Columns forced numeric"})
    categorical: list[str] = field(default_factory=list, metadata={"help": "Columns forced categorical"})
    drop: list[str] = field(default_factory=list, metadata={"help": "Columns to ignore"})
    task: str = field(default="auto", metadata={"help": "The label's task.", "choices": TASKS})
    split_seed: int = 0
    val_fraction: float = 0.2
    test_fraction: float = 0.2
    dim: int = 64
    depth: int = 16
    heads: int = 2
    ffn_dim: int = 64
    dropout: float = 0.0
    n_cls: int = 1
    token_std: float | None = None
    pred_dim: int = 16
    pred_depth: int = 16
    pred_heads: int = 4
    pred_ffn_dim: int = 64
    pred_activation: str = field(default="gelu", metadata={"choices": ("gelu", "relu")})
    pred_norm_first: bool = True
    pred_dropout: float | None = None
    ctx_range: list[float] = field(default_factory=lambda: [0.136, 0.368])
    tgt_range: list[float] = field(default_factory=lambda: [0.156, 0.622])
    num_targets: int = 4
    eval_seeds: int = 3
    probe_epochs: int = 200
    probe_lr: float = 1e-3
    probe_hidden: int = 256
    probe_select_every: int = 0
    eval_max_train: int | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ValueError(f"task must be one of {', '.join(TASKS)}, got {self.task!r}")
        for name in ("ctx_range", "tgt_range"):
            if len(getattr(self, name)) != 2:
                raise ValueError(f"{name} must be [low, high], got {getattr(self, name)}")
        if self.pred_activation not in ("gelu", "relu"):
            raise FieldValueError("pred_activation", f"must be gelu or relu, got {self.pred_activation!r}")
        sizes = (
            "dim",
            "depth",
            "heads",
            "ffn_dim",
            "n_cls",
            "pred_dim",
            "pred_depth",
            "pred_heads",
            "pred_ffn_dim",
        )
        for name in (*sizes, "num_targets", "probe_hidden", "eval_seeds", "probe_epochs"):
            if getattr(self, name) < 1:
                raise FieldValueError(name, f"must be >= 1, got {getattr(self, name)}")
        for name in ("dropout", "pred_dropout", "val_fraction", "test_fraction"):
            if getattr(self, name) is not None and not 0.0 <= getattr(self, name) < 1.0:
                raise FieldValueError(name, f"must be >= 0 and < 1, got {getattr(self, name)}")
        if self.val_fraction + self.test_fraction >= 1.0:
            raise FieldValueError("test_fraction", "val_fraction + test_fraction must be < 1")
        if not (math.isfinite(self.probe_lr) and self.probe_lr > 0):
            raise FieldValueError("probe_lr", f"must be a finite number > 0, got {self.probe_lr}")
        if self.token_std is not None and not (math.isfinite(self.token_std) and self.token_std > 0):
            raise FieldValueError("token_std", f"must be a finite number > 0 or null, got {self.token_std}")
        if self.eval_max_train is not None and self.eval_max_train < 1:
            raise ValueError(f"eval_max_train must be >= 1 or null, got {self.eval_max_train}")


#: The official launch script's model and mask values (``jose-melo/t-jepa`` ``scripts/launch_tjepa.sh``
#: with the ``src/configs.py`` defaults it leaves unset: predictor FFN 256, ReLU, post-norm layers).
OFFICIAL_LAUNCH_ARGS: dict[str, object] = {
    "dim": 64, "depth": 16, "heads": 2, "ffn_dim": 64, "dropout": 0.0018542257314766695, "n_cls": 1,
    "pred_dim": 16, "pred_depth": 16, "pred_heads": 4, "pred_ffn_dim": 256, "pred_activation": "relu",
    "pred_norm_first": False, "pred_dropout": 0.0019307456645321797,
    "ctx_range": [0.13628349247854785, 0.36819012681604135],
    "tgt_range": [0.1556321308543076, 0.6222278244105446], "num_targets": 4,
}  # fmt: skip

#: The embedded default: a smaller model and schedule than the paper so it trains in about 2 minutes
#: on a 2-core CPU (the bench uses the paper's 16 x 64 model).
DEFAULT_RECIPE_ARGS: dict[str, object] = {
    "dim": 32, "depth": 4, "heads": 2, "ffn_dim": 64, "pred_dim": 16, "pred_depth": 4, "pred_heads": 4,
    "probe_epochs": 100, "probe_lr": 3.0e-3, "probe_select_every": 10, "eval_seeds": 3,
}  # fmt: skip


def default_config() -> dict[str, Any]:
    """Starter config: the embedded default (``ssl-tabular pretrain`` with no argument)."""
    return {
        "recipe": "tabular/tjepa",
        "recipe_args": dict(DEFAULT_RECIPE_ARGS),
        "train": {
            "steps": 400,
            "batch_size": 512,
            "clip_value": 1.0,
            "log_every": 20,
            "monitor_every": 100,
            "ckpt_every": 200,
        },
        "optim": {
            "name": "adamw",
            "lr": 1.0e-3,
            "weight_decay": 0.0,
            "schedule": {"name": "warmup_cosine", "warmup_steps": 50},
        },
        "ema": {"base": 0.996, "final": 1.0, "schedule": "linear"},
    }
