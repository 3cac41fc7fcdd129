"""The bf16 and fp32 ceilings of ``bench/traffic_stssdl.py --part ceiling``: products at their best rate + a non-GEMM floor.

The GEMM-only ceiling (:func:`gemm_ceiling`) assumes a step is nothing but its products.
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
from functools import partial
from typing import Any

from _traffic_config import OFFICIAL_ARGS, PEERS, PEERS_RATIO, recipe_args, train_config

GEMM_OPS = frozenset({"aten::mm", "aten::bmm", "aten::addmm", "aten::baddbmm", "aten::addbmm"})
CLASSES = {  # op-name fragment -> class; first match wins, unmatched ops are "other"
    "copy/layout": ("copy", "cat", "clone", "contiguous", "index", "stack", "fill", "zero", "empty"),
    "activation": ("sigmoid", "tanh", "softmax", "relu", "threshold"),
    "reduction": ("sum", "mean", "topk", "norm", "max", "min"),
    "elementwise": ("add", "sub", "mul", "div", "neg", "pow", "where", "exp", "rsub"),
}


def step_gflop(n: int = 207, b: int = 64, t: int = 12, h: int = 128, d: int = 64, k: int = 3) -> float:
    """Forward GFLOP of one ST-SSDL batch at the official size (GEMMs and dense propagations only).

    Encoder: current + anchor windows (2B), gate and update weights ``H x k*3H`` per node and step.
    Decoder: width ``H + d``; Clenshaw propagation over the per-sample graph (``2 (k-1)`` products of
    ``N x N`` with the gate's ``2 H_d`` and the update's ``H_d`` columns). The factored input adds none.
    """
    hd = h + d
    encoder = 2 * (2 * b * n) * h * (k * 3 * h) * t
    decoder = (2 * b * n * hd * (k * 3 * hd) + 2 * (k - 1) * b * n * n * 3 * hd) * t
    return (encoder + decoder) / 1e9


def _best_seconds(call: Any, repeats: int) -> float:
    """Fastest of ``repeats`` process-CPU timings of ``call()`` (after one untimed call)."""
    call()
    times = []
    for _ in range(repeats):
        t0 = time.process_time()
        call()
        times.append(time.process_time() - t0)
    return min(times)


def product_rates(dtype: Any, repeats: int = 5) -> list[float]:
    """Best one-thread GFLOP/s (process CPU time) of the encoder gate, decoder gate and graph ``bmm`` products.

    Into a preallocated output (``out=``): a fresh 20-40 MB output per call costs page faults that
    can take longer than the product itself on this machine, and a ceiling wants the product's rate.
    """
    import torch

    torch.set_num_threads(1)
    shapes = ((2 * 64 * 207, 128, 384 * 2), (64 * 207, 192, 576 * 2))  # encoder gate, decoder gate
    rates = []
    for m, kk, nn in shapes:
        args = (torch.randn(m, kk, dtype=dtype), torch.randn(kk, nn, dtype=dtype))
        out = torch.empty(m, nn, dtype=dtype)
        rates.append(2 * m * kk * nn / _best_seconds(partial(torch.mm, *args, out=out), repeats) / 1e9)
    g = torch.softmax(torch.randn(64, 207, 207), -1).to(dtype)
    x, out3 = torch.randn(64, 207, 384, dtype=dtype), torch.empty(64, 207, 384, dtype=dtype)
    rates.append(2 * 64 * 207 * 207 * 384 / _best_seconds(partial(torch.bmm, g, x, out=out3), repeats) / 1e9)
    return rates


def gemm_ceiling() -> list[dict[str, Any]]:
    """Measured one-thread rate of the model's dominant products, fp32 and bf16: the throughput ceiling."""
    import torch

    rows = []
    for precision, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16)):
        rates = product_rates(dtype)
        best = max(rates)
        train = 3 * step_gflop()  # forward + backward (2x), no recomputation
        rows.append(
            {
                "precision": precision,
                "GFLOP/s enc gate, dec gate, graph bmm": ", ".join(f"{r:.0f}" for r in rates),
                "train GFLOP/step": round(train),
                "ceiling samples/s (cpu)": 64 / (train / best),
                "ceiling x official": 64 / (train / best) / PEERS["train samples/s"],
            }
        )
    return rows


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
