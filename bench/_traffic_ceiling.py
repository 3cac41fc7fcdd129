"""The bf16 and fp32 ceilings of ``bench/traffic_stssdl.py --part ceiling``: products at their best rate + a non-GEMM floor.

The GEMM-only ceiling (:func:`_traffic_speed.gemm_ceiling`) assumes a step is nothing but its products.
Here one training step (forward + backward, bf16 under autocast or fp32, official size, batch 64, one thread,
after warm-up) is profiled with ``torch.profiler`` and its self CPU time split by op class: products
(``mm``/``bmm``/``addmm``/...) and the rest (elementwise, activations, reductions, copies/layout,
other). The non-GEMM floor is the non-GEMM time of the fused case: ``train.compile_regions`` (each
recurrent cell -- gates, Chebyshev combination, GRU update -- compiled with ``torch.compile``,
Inductor C++ CPU code, which fuses the elementwise passes; its products stay ATen calls). The ceiling is
``64 / (train GFLOP / best measured product rate in that precision + fused non-GEMM time)`` samples
per CPU second, divided by the official 4.15 samples/s (``ceiling x official``; measured on another
machine) and, less machine-bound, as a multiple of this code's eager step times peers.md's
side-by-side ratio of the previous code without recompute (bf16 1.95x, fp32 1.33x; ``x official
(chain)``; conservative in bf16, where this eager code is faster than that one).
``at step's GEMM x official``: the same with the products at the time they take in the profiled step.
"""

from __future__ import annotations

import os
import time
from typing import Any

from _traffic_config import OFFICIAL_ARGS, PEERS, PEERS_RATIO, recipe_args, train_config
from _traffic_speed import product_rates, step_gflop

GEMM_OPS = frozenset({"aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm", "aten::addbmm"})
CLASSES = {  # op-name fragment -> class; first match wins, unmatched ops are "other"
    "copy/layout": ("copy", "cat", "clone", "contiguous", "index", "stack", "fill", "zero", "empty"),
    "activation": ("sigmoid", "tanh", "softmax", "relu", "threshold"),
    "reduction": ("sum", "mean", "topk", "norm", "max", "min"),
    "elementwise": ("add", "sub", "mul", "div", "neg", "pow", "where", "exp", "rsub"),
}


def op_class(name: str) -> str:
    """``GEMM``, one of :data:`CLASSES`, or ``other`` (incl. Inductor's fused kernels) for a profiler op."""
    if name in GEMM_OPS:
        return "GEMM"
    if name.startswith("aten::"):
        for label, fragments in CLASSES.items():
            if any(f in name for f in fragments):
                return label
    return "other"


def profiled_split(fused: bool, precision: str = "bf16", warmup: int = 2) -> dict[str, float]:
    """Self CPU seconds per op class of one forward + backward (after ``warmup`` steps), and ``step``.

    ``fused``: ``train.compile_regions`` (the GCRU cells through ``torch.compile``).
    """
    import torch
    from torch.profiler import ProfilerActivity, profile

    from ssl_core.nn import compile_regions
    from ssl_core.plugins import get_registries

    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": False}),
        epochs=None,
        steps=1,
        seed=0,
    )
    recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
    module, batch = recipe.module, recipe.train_data.__getitems__(list(range(64)))  # type: ignore[attr-defined]
    if fused:
        compile_regions(module)
    gen = torch.Generator().manual_seed(0)

    def step() -> float:
        t0 = time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = module(batch, gen).loss
        loss.backward()
        module.zero_grad(set_to_none=True)
        return time.process_time() - t0

    for _ in range(warmup):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        seconds = step()
    split: dict[str, float] = {}
    for event in prof.key_averages():
        label = op_class(event.key)
        split[label] = split.get(label, 0.0) + event.self_cpu_time_total / 1e6
    # the profiler times ops by the clock: while other jobs share the core their sum exceeds the
    # step's process CPU time, so the split is scaled to it (each class keeps its share)
    scale = seconds / sum(split.values())
    return {"step": seconds, "profiled / CPU": 1 / scale, **{k: v * scale for k, v in split.items()}}


def nongemm_ceiling(precision: str = "bf16") -> list[dict[str, Any]]:
    """Rows: the eager step and the fused one (``compile_regions``), split by op class; the ceiling each allows."""
    import torch

    best = max(product_rates(torch.bfloat16 if precision == "bf16" else torch.float32))
    gemm_best = 3 * step_gflop() / best  # CPU-s of a step's products at the best measured rate
    rows: list[dict[str, Any]] = []
    for label, fused in (("eager", False), ("fused cells (compile_regions)", True)):
        split = profiled_split(fused, precision)
        profiled = sum(v for k, v in split.items() if k not in ("step", "profiled / CPU"))
        nongemm = profiled - split.get("GEMM", 0.0)
        ceiling = 64 / (gemm_best + nongemm)
        row: dict[str, Any] = {
            "step": f"{precision} {label}",
            "step CPU-s": split["step"],
            "profiled / CPU": split["profiled / CPU"],
            "GEMM s (measured)": split.get("GEMM", 0.0),
            "non-GEMM s": nongemm,
        }
        for name in (*CLASSES, "other"):
            row[f"{name} s"] = split.get(name, 0.0)
        row["best GFLOP/s"] = best
        row["GEMM s at best rate"] = gemm_best
        row["ceiling samples/s (cpu)"] = ceiling
        row["ceiling x official"] = ceiling / PEERS["train samples/s"]
        eager = rows[0]["step CPU-s"] if rows else split["step"]
        row["ceiling x eager step"] = ceiling * eager / 64
        row["x official (chain)"] = row["ceiling x eager step"] * PEERS_RATIO[("engine", False, precision)]
        row["at step's GEMM x official"] = 64 / (split.get("GEMM", 0.0) + nongemm) / PEERS["train samples/s"]
        row["load"] = os.getloadavg()[0]
        rows.append(row)
    return rows
