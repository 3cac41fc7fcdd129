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

    def timed(part: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        out = fn()
        times[part] = time.perf_counter() - t0
        return out

    for i, raw in enumerate(batches):
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
    return out


def profile_rows(label: str, got: dict[str, float]) -> list[dict[str, Any]]:
    """Table rows: each part's ms per step and share of the step."""
    step = got["step"]
    rows = [{"code": label, "part": p, "ms/step": round(1e3 * got[p], 1), "share": f"{100 * got[p] / step:.1f}%"}
            for p in PARTS]  # fmt: skip
    rows.append({"code": label, "part": "step (sum)", "ms/step": round(1e3 * step, 1), "share": "100%"})
    return rows
