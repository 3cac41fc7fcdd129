"""The arguments of ``traffic/stssdl`` and the run configs built from them (no torch import).

Every run config of the plugin is built here: the embedded default (:func:`default_config`,
``ssl-traffic pretrain`` / ``ssl init traffic``) and the bench's (:func:`run_config`). The
optimiser is the official one (:func:`official_optim`): Adam, lr 0.01, eps 1e-3, no weight decay,
lr x0.1 at 70% and 90% of the run, gradient-norm clip 5, batch 64.

The core's ``multistep`` schedule takes its milestones in steps, so they are computed here from
the run length; the embedded default is a fixed number of steps (not epochs), so its schedule holds
whatever ``--data`` is. A run of another length sets its milestones as fractions of the run, which
follow ``--steps``: ``--steps 1000 --set 'optim.schedule.milestones=[0.7,0.9]'``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ssl_core.errors import ConfigError

__all__ = ["STSSDLArgs", "default_config", "official_optim", "run_config"]


@dataclass
class STSSDLArgs:
    """``recipe_args`` of ``traffic/stssdl`` (validated: unknown keys and wrong types are errors).

    Model sizes default to the official METR-LA settings (the embedded default is smaller).

    Attributes:
        data: a series file (``.h5``/``.npz``/``.csv``, see :mod:`ssl_plugin_traffic.series`);
            ``None`` simulates the embedded default.
        graph: the adjacency file (made absolute when the args are read).
        start, interval_minutes, channel: how to read ``data`` (see ``load_series``).
        in_len, out_len: input and forecast window lengths (timesteps).
        ssl: ``false`` is the no-SSL ablation (no history branch, lambda_c = lambda_d = 0).
        rnn_units, prototype_num, prototype_dim, d_in, d_node, d_tod, cheb_k: network sizes.
        lambda_c, lambda_d, margin: the SSL loss weights and the triplet margin.
        cl_decay_steps: scheduled-sampling constant (0 disables it).
        recompute: recompute each recurrent step in backward (less memory, about a third more compute);
            ``None`` (default): on only when the estimated activations exceed half the free memory,
            decided and printed at the first training batch (:mod:`ssl_plugin_traffic.recompute`).
        sim_nodes, sim_days, sim_seed: the simulator (when ``data`` is ``None``).
    """

    data: str | None = None
    graph: str | None = field(
        default=None,
        metadata={
            "help": "Adjacency (.csv matrix, from,to,cost .csv, or .npz); "
            "default: the single *adj* / *distance* file next to --data."
        },
    )
    start: str | None = None
    interval_minutes: int | None = None
    channel: int = 0
    in_len: int = 12
    out_len: int = 12
    ssl: bool = True
    rnn_units: int = 128
    prototype_num: int = 20
    prototype_dim: int = 64
    d_in: int = 3
    d_node: int = 25
    d_tod: int = 20
    cheb_k: int = 3
    lambda_c: float = 0.01
    lambda_d: float = 1.0
    margin: float = 0.5
    cl_decay_steps: int = 2000
    recompute: bool | None = None
    sim_nodes: int = 40
    sim_days: int = 28
    sim_seed: int = 0

    def __post_init__(self) -> None:
        """Check values and make ``graph`` absolute (ConfigError: the CLI shows one line, no traceback)."""
        if self.graph is not None:
            if self.data is None:
                raise ConfigError(
                    "recipe_args", "graph", "graph needs data (--data: the series it belongs to)"
                )
            self.graph = str(Path(self.graph).resolve())  # a run must not depend on the folder
        for name in ("in_len", "out_len", "rnn_units", "prototype_num", "prototype_dim", "cheb_k"):
            if getattr(self, name) < 1:
                raise ConfigError("recipe_args", name, f"{name} must be >= 1, got {getattr(self, name)}")


DEFAULT_RECIPE_ARGS: dict[str, Any] = {
    "rnn_units": 32,
    "prototype_num": 8,
    "prototype_dim": 16,
    "d_node": 10,
    "d_tod": 10,
    "recompute": False,
}
DEFAULT_BATCH = 64
DEFAULT_STEPS = 174
"""6 epochs of the simulator's 1,865 training windows at batch 64 (about 2 minutes of one core)."""


def official_optim(total_steps: int, milestones: tuple[float, ...] = (0.7, 0.9)) -> dict[str, Any]:
    """The official optimiser over ``total_steps``: Adam, lr 0.01 x0.1 at ``milestones`` (fractions)."""
    return {
        "name": "adam",
        "lr": 0.01,
        "eps": 1.0e-3,
        "weight_decay": 0.0,
        "schedule": {
            "name": "multistep",
            "milestones": [int(m * total_steps) for m in milestones],
            "gamma": 0.1,
        },
    }


def run_config(
    recipe_args: dict[str, Any],
    *,
    steps: int,
    batch_size: int = DEFAULT_BATCH,
    seed: int = 0,
    milestones: tuple[float, ...] = (0.7, 0.9),
) -> dict[str, Any]:
    """A ``traffic/stssdl`` run config of ``steps`` steps with the official optimisation."""
    return {
        "recipe": "traffic/stssdl",
        "recipe_args": dict(recipe_args),
        "train": {
            "steps": steps,
            "batch_size": batch_size,
            "seed": seed,
            "clip_grad": 5.0,
            "precision": "fp32",
            "log_every": 10,
            "ckpt_every": steps,
            "monitor_every": 10**9,
        },
        "optim": official_optim(steps, milestones),
    }


def default_config() -> dict[str, Any]:
    """The embedded default: the simulator, a small model, 174 steps on one thread.

    One thread: on a busy 2-core machine two OpenMP threads made this small model 15x slower per
    step (``--set train.num_threads=N`` for more).
    """
    cfg = run_config(DEFAULT_RECIPE_ARGS, steps=DEFAULT_STEPS)
    cfg["train"]["num_threads"] = 1
    return cfg
