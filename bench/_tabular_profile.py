"""Where a T-JEPA optimizer step spends its time: masks, encoders, predictor, loss, optimizer.

The step is the engine's T-JEPA step split at its natural seams so that each part's forward *and*
backward are timed on their own without changing the math: the context encoder's output is detached
into a leaf before the predictor, the predictor + loss backward runs first, then the encoder's
backward from that leaf's gradient (chain rule, same gradients). Optimizer = gradient value clip +
AdamW + EMA update. Used by ``bench/tabular_tjepa.py --sections profile``; it imports only the
public API, so it profiles whichever ``ssl_core`` / ``ssl_plugin_tabular`` is on ``sys.path``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import torch
from ssl_plugin_tabular.recipes import tjepa_recipe
from torch.utils.flop_counter import FlopCounterMode

from ssl_core.objectives.jepa_predictor import gather_tokens

PARTS = ("masks", "context encoder", "target encoder", "predictor", "loss", "backward: predictor+loss",
         "backward: encoder", "optimizer (clip, AdamW, EMA)")  # fmt: skip


def _batches(dataset: Any, batch: int, count: int, seed: int) -> list[dict[str, torch.Tensor]]:
    gen = torch.Generator().manual_seed(seed)
    rows = torch.randperm(len(dataset), generator=gen)[: batch * count].view(count, batch)
    return [dataset.__getitems__(r) for r in rows]


def profile_steps(
    data: str, model: dict[str, Any], steps: int, batch: int = 512, seed: int = 0
) -> dict[str, float]:
    """Mean seconds per step of each part over ``steps`` steps (after 2 warm-up steps) + ``step``."""
    torch.manual_seed(seed)
    recipe = tjepa_recipe(data=data, **model)
    module = recipe.module
    module.train()
    params = [p for p in module.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=3.66e-4, weight_decay=0.0)
    gen = torch.Generator().manual_seed(seed)
    totals = dict.fromkeys(PARTS, 0.0)
    batches = _batches(recipe.train_data, batch, steps + 2, seed)
    times: dict[str, float] = {}
    flops = dict.fromkeys(PARTS, 0)
    count = [False]

    def timed(part: str, fn: Callable[[], Any]) -> Any:
        if count[0]:  # the first warm-up step: count matmul FLOPs instead of timing
            with FlopCounterMode(display=False) as counter:
                out = fn()
            flops[part] = counter.get_total_flops()
            return out
        t0 = time.process_time()
        out = fn()
        times[part] = time.process_time() - t0
        return out

    for i, raw in enumerate(batches):
        count[0] = i == 0
        view = timed("masks", lambda: module.masks(raw, gen)["masks"])  # noqa: B023
        ctx_idx, sets = view["context_idx"], view["target_idx"]
        ctx = timed("context encoder", lambda: module.context_encoder(view)["tokens"])  # noqa: B023
        leaf = ctx.detach().requires_grad_(True)
        full = {k: v for k, v in view.items() if k not in ("context_idx", "target_idx")}

        def targets() -> torch.Tensor:
            with torch.no_grad():
                tokens = module.target_encoder(full)["tokens"]  # noqa: B023
                s, b, n = sets.shape  # noqa: B023
                return gather_tokens(tokens.repeat(s, 1, 1), sets.reshape(s * b, n))  # noqa: B023

        target = timed("target encoder", targets)
        s = sets.shape[0]
        pred = timed("predictor", lambda: module.predictor(leaf.repeat(s, 1, 1), ctx_idx.repeat(s, 1),  # noqa: B023
                                                           sets.flatten(0, 1)))  # noqa: B023  # fmt: skip
        loss = timed("loss", lambda: module.objective(list(pred.chunk(s)), list(target.chunk(s))).loss)  # noqa: B023
        timed("backward: predictor+loss", loss.backward)
        timed("backward: encoder", lambda: ctx.backward(leaf.grad))  # noqa: B023

        def update() -> None:
            torch.nn.utils.clip_grad_value_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            for student, teacher in module.ema_pairs():
                torch._foreach_lerp_(list(teacher.parameters()), list(student.parameters()), 0.004)

        timed("optimizer (clip, AdamW, EMA)", update)
        if i >= 2:
            for part, sec in times.items():
                totals[part] += sec
    out = {part: sec / steps for part, sec in totals.items()}
    out["step"] = sum(out.values())
    out.update({f"gflop {part}": n / 1e9 for part, n in flops.items()})
    return out


def profile_rows(label: str, got: dict[str, float]) -> list[dict[str, Any]]:
    """Table rows: each part's CPU ms per step, share of the step, matmul GFLOP and achieved GFLOP/s."""
    step = got["step"]
    rows = []
    for p in PARTS:
        gf = got[f"gflop {p}"]
        rows.append({"model": label, "part": p, "ms/step": round(1e3 * got[p], 1),
                     "share": f"{100 * got[p] / step:.1f}%", "GFLOP (one step)": round(gf, 2),
                     "GFLOP/s": round(gf / got[p], 1) if got[p] > 0 and gf else ""})  # fmt: skip
    total = sum(got[f"gflop {p}"] for p in PARTS)
    rows.append({"model": label, "part": "step (sum)", "ms/step": round(1e3 * step, 1), "share": "100%",
                 "GFLOP (one step)": round(total, 2), "GFLOP/s": round(total / step, 1)})  # fmt: skip
    return rows


def gemm_rates() -> list[dict[str, Any]]:
    """One-thread fp32 rate of the step's dominant matrix products (the predictor's skinny FFN and
    attention projections at width 16, the encoder's at width 64): the throughput ceiling per part."""
    shapes = {"predictor FFN up (20480x16 @ 16x256)": (20480, 16, 256),
              "predictor FFN down (20480x256 @ 256x16)": (20480, 256, 16),
              "predictor qkv (20480x16 @ 16x48)": (20480, 16, 48),
              "encoder qkv (7680x64 @ 64x192)": (7680, 64, 192),
              "square reference (1024x1024 @ 1024x1024)": (1024, 1024, 1024)}  # fmt: skip
    rows = []
    for name, (m, k, n) in shapes.items():
        a, w = torch.randn(m, k), torch.randn(k, n)
        a @ w
        reps = max(3, int(2e9 / (2 * m * k * n)))
        t0 = time.process_time()
        for _ in range(reps):
            a @ w
        rows.append(
            {
                "product": name,
                "GFLOP/s (1 thread, CPU time)": round(
                    reps * 2 * m * k * n / (time.process_time() - t0) / 1e9, 1
                ),
            }
        )
    return rows
