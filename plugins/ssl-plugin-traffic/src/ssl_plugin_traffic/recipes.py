"""The ``traffic/stssdl`` recipe: data + ST-SSDL module (or its no-SSL ablation) for the engine.

``ssl: false`` in the recipe args is the ablation of Gao et al. (NeurIPS 2025): no history branch
(the decoder graph sees only ``[h_t, v_t]``) and ``lambda_c = lambda_d = 0``; everything else equal.
Optimisation follows the official script: Adam (lr 0.01, eps 1e-3, no weight decay), MultiStep lr
(gamma 0.1), gradient-norm clip 5, batch 64 (:func:`run_config`).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_core.interfaces import Recipe

from .args import STSSDLArgs
from .data import load_series
from .graph import load_graph, sparse_support, sym_adj
from .method import STSSDL
from .model import NetConfig, STSSDLNet
from .objectives import STSSDLObjective
from .plugin import official_optim
from .simulator import SimulatorConfig, simulate
from .windows import TrafficData

__all__ = ["STSSDLArgs", "build_data", "build_module", "stssdl_recipe", "run_config", "find_graph"]


def find_graph(data: Path) -> Path:
    """The single ``*adj*`` / ``*distance*`` file next to ``data``, else a DataError."""
    found = sorted(
        p
        for p in data.parent.iterdir()
        if p != data
        and p.suffix.lower() in (".csv", ".npz")
        and ("adj" in p.stem.lower() or "distance" in p.stem.lower())
    )
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise DataError(
            data, "graph", f"pass --graph: cannot pick the adjacency next to the data (found {names})"
        )
    return found[0]


_CACHE: dict[tuple[Any, ...], TrafficData] = {}


def build_data(args: STSSDLArgs) -> TrafficData:
    """Load (or simulate) the series and graph and cut them into windows (cached per process)."""
    key = (
        args.data,
        args.graph,
        args.start,
        args.interval_minutes,
        args.channel,
        args.in_len,
        args.out_len,
        args.sim_nodes,
        args.sim_days,
        args.sim_seed,
    )
    if key not in _CACHE:
        if args.data is None:
            series, adj = simulate(
                SimulatorConfig(nodes=args.sim_nodes, days=args.sim_days, seed=args.sim_seed)
            )
        else:
            series = load_series(
                args.data, start=args.start, interval_minutes=args.interval_minutes, channel=args.channel
            )
            graph = Path(args.graph) if args.graph else find_graph(Path(args.data))
            adj = load_graph(graph, series.num_nodes)
        _CACHE[key] = TrafficData.build(series, adj, args.in_len, args.out_len)
    return _CACHE[key]


def build_module(args: STSSDLArgs, data: TrafficData) -> STSSDL:
    """The ST-SSDL module (or the ablation when ``args.ssl`` is false) sized for ``data``."""
    cfg = NetConfig(
        num_nodes=data.series.num_nodes,
        steps_per_day=data.series.steps_per_day,
        horizon=args.out_len,
        rnn_units=args.rnn_units,
        cheb_k=args.cheb_k,
        prototype_num=args.prototype_num,
        prototype_dim=args.prototype_dim,
        d_in=args.d_in,
        d_node=args.d_node,
        d_tod=args.d_tod,
        use_history=args.ssl,
        recompute=args.recompute,
    )
    net = STSSDLNet(cfg, sparse_support(sym_adj(data.adj)))
    weights = (args.lambda_c, args.lambda_d) if args.ssl else (0.0, 0.0)
    objective = STSSDLObjective(*weights, margin=args.margin)
    return STSSDL(net, objective, data.scaler, torch.from_numpy(data.table), args.cl_decay_steps)


def stssdl_recipe(**kwargs: Any) -> Recipe:
    """Factory of ``traffic/stssdl``: train on the train split, evaluate on the test split."""
    from .evaluate import evaluate_module

    args = STSSDLArgs(**kwargs)
    data = build_data(args)
    return Recipe(
        name="traffic/stssdl",
        module=build_module(args, data),
        train_data=TensorDictDataset(data.tensors("train"), source=data.series.source),
        eval_data=TensorDictDataset(data.tensors("test"), source=data.series.source),
        evaluate=evaluate_module,
        extras={"data": data, "args": args},
    )


def run_config(
    recipe_args: dict[str, Any] | None = None,
    *,
    epochs: int = 10,
    steps_per_epoch: int | None = None,
    milestones: tuple[float, ...] = (0.7, 0.9),
    batch_size: int = 64,
    seed: int = 0,
) -> dict[str, Any]:
    """A run config dict with the official optimisation; lr drops x0.1 at ``milestones`` (fractions).

    ``steps_per_epoch`` defaults to the train split size // ``batch_size`` of the resolved data.
    """
    args = STSSDLArgs(**(recipe_args or {}))
    if steps_per_epoch is None:
        steps_per_epoch = max(1, len(build_data(args).starts["train"]) // batch_size)
    total = epochs * steps_per_epoch
    return {
        "recipe": "traffic/stssdl",
        "recipe_args": {k: v for k, v in asdict(args).items() if v != getattr(STSSDLArgs, k, None)},
        "train": {
            "epochs": epochs,
            "batch_size": batch_size,
            "seed": seed,
            "clip_grad": 5.0,
            "log_every": max(1, steps_per_epoch // 2),
            "monitor_every": 10**9,
            "ckpt_every": steps_per_epoch * max(1, epochs // 2),
            "precision": "fp32",
        },
        "optim": official_optim(total, milestones),
    }
