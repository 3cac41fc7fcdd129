"""The bf16 ceiling of ``bench/traffic_stssdl.py --part ceiling``: products at their best rate + a non-GEMM floor.

The GEMM-only ceiling (:func:`_traffic_speed.gemm_ceiling`) assumes a step is nothing but its products.
Here one bf16 training step (forward + backward under autocast, official size, batch 64, one thread,
after warm-up) is profiled with ``torch.profiler`` and its self CPU time split by op class: products
(``mm``/``bmm``/``addmm``/...) and the rest (elementwise, activations, reductions, copies/layout,
other). The non-GEMM floor is the non-GEMM time of the best fused case built here: each recurrent
cell (gates, Chebyshev combination, GRU update) compiled with ``torch.compile`` (Inductor, C++ CPU
code), which fuses the elementwise passes; its products stay ATen calls. The ceiling is
``64 / (train GFLOP / best measured bf16 product rate + fused non-GEMM time)`` samples per CPU second,
divided by the official 4.15 samples/s (``ceiling x official``; measured on another machine) and, less
machine-bound, as a multiple of this code's eager bf16 step times peers.md's side-by-side 1.95x of the
previous bf16 code (``x official (chain)``; conservative: this eager code is faster than that one).
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


def profiled_split(fused: bool, warmup: int = 2) -> dict[str, float]:
    """Self CPU seconds per op class of one bf16 forward + backward (after ``warmup`` steps), and ``step``."""
    import torch
    from ssl_plugin_traffic.encoders import GCRUCell
    from torch.profiler import ProfilerActivity, profile

    from ssl_core.plugins import get_registries

    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": False}), epochs=None, steps=1, seed=0
    )
    recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
    module, batch = recipe.module, recipe.train_data.__getitems__(list(range(64)))  # type: ignore[attr-defined]
    if fused:
        for cell in (m for m in module.modules() if isinstance(m, GCRUCell)):
            cell.forward = torch.compile(cell.forward, dynamic=False)  # type: ignore[method-assign]
    gen = torch.Generator().manual_seed(0)

    def step() -> float:
        t0 = time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = module(batch, gen).loss
        loss.backward()
        module.zero_grad(set_to_none=True)
        return time.process_time() - t0

    for _ in range(warmup):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        seconds = step()
    split: dict[str, float] = {"step": seconds}
    for event in prof.key_averages():
        label = op_class(event.key)
        split[label] = split.get(label, 0.0) + event.self_cpu_time_total / 1e6
    return split


def nongemm_ceiling() -> list[dict[str, Any]]:
    """Rows: the eager bf16 step and its fused best case, split by op class; the ceiling each allows."""
    import torch

    best = max(product_rates(torch.bfloat16))
    gemm_best = 3 * step_gflop() / best  # CPU-s of a step's products at the best measured bf16 rate
    rows: list[dict[str, Any]] = []
    for label, fused in (("eager (this code)", False), ("fused cells (torch.compile)", True)):
        split = profiled_split(fused)
        profiled = sum(v for k, v in split.items() if k != "step")
        nongemm = profiled - split.get("GEMM", 0.0)
        ceiling = 64 / (gemm_best + nongemm)
        row: dict[str, Any] = {
            "bf16 step": label,
            "step CPU-s": split["step"],
            "GEMM s (measured)": split.get("GEMM", 0.0),
            "non-GEMM s": nongemm,
        }
        for name in (*CLASSES, "other"):
            row[f"{name} s"] = split.get(name, 0.0)
        row["best bf16 GFLOP/s"] = best
        row["GEMM s at best rate"] = gemm_best
        row["ceiling samples/s (cpu)"] = ceiling
        row["ceiling x official"] = ceiling / PEERS["train samples/s"]
        eager = rows[0]["step CPU-s"] if rows else split["step"]
        row["ceiling x eager step"] = ceiling * eager / 64
        row["x official (chain)"] = row["ceiling x eager step"] * PEERS_RATIO[("engine", False, "bf16")]
        row["at step's GEMM x official"] = 64 / (split.get("GEMM", 0.0) + nongemm) / PEERS["train samples/s"]
        row["load"] = os.getloadavg()[0]
        rows.append(row)
    return rows
