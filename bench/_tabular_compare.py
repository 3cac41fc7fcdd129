"""Old code vs new code, side by side, for ``bench/tabular_tjepa.py --sections compare``.

Each run is a fresh process that imports ``ssl_core`` and ``ssl_plugin_tabular`` from one source tree
(``PYTHONPATH``: the tree and its tabular plugin), so a second checkout of an older commit (e.g.
``git worktree add /work/wt/perf-base <commit>``) runs its own code through its own engine. Runs
alternate old / new within each round, one thread each, same data and batch 512. An older tree whose
predictor has no ``ffn_dim`` / ``activation`` / ``norm_first`` options gets its predictor layers
rebuilt from its own ``FastTransformerEncoder`` at the requested size, so both sides train the same
model. A run's speed is the engine's steps/s over the logged intervals after the first (warm-up), on
the process's CPU-time clock (the engine's timer reads ``time.perf_counter``, which the child points at
``time.process_time``): on an idle core the two agree, on a shared machine CPU time does not count the
time other jobs hold the core (cache and memory-bandwidth sharing still slow both sides alike).

``x official`` is a chain of side-by-side measurements: the official code was measured against the old
bench model (``bench64``, fp32) in ``shared/research/peers.md`` (2026-12-04: 1.88x of the official code
with its predictor FFN set to 64, 2.91x of the official launch defaults), so a model's speed here
divided by ``bench64``'s old speed here times that ratio is its speed over the official code's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import harmonic_mean, median
from typing import Any

LAUNCH: dict[str, Any] = {  # jose-melo/t-jepa scripts/launch_tjepa.sh + the src/configs.py defaults it leaves
    "dim": 64, "depth": 16, "heads": 2, "ffn_dim": 64, "dropout": 0.0018542257314766695, "n_cls": 1,
    "pred_dim": 16, "pred_depth": 16, "pred_heads": 4, "pred_ffn_dim": 256, "pred_activation": "relu",
    "pred_norm_first": False, "pred_dropout": 0.0019307456645321797,
    "ctx_range": [0.13628349247854785, 0.36819012681604135],
    "tgt_range": [0.1556321308543076, 0.6222278244105446], "num_targets": 4,
    "token_std": 0.02,  # the official code's token initialisation (the plugin's default is 1.0)
}  # fmt: skip
MODELS: dict[str, dict[str, Any]] = {
    "official": LAUNCH,  # the official launch configuration exactly (predictor FFN 256)
    "pred-ffn64": {**LAUNCH, "pred_ffn_dim": 64},  # = the official code run with --pred_dim_feedforward 64
    "bench64": {
        "pred_ffn_dim": 64,
        "pred_activation": "gelu",
        "pred_norm_first": True,
        "dropout": 0.0,
        "pred_dropout": 0.0,
        "token_std": 0.02,
    },  # the old bench's model (TJEPAArgs defaults)  # fmt: skip
}
#: peers.md 2026-12-04, idle core, fp32: the old bench64 (1.222 / 1.191 steps/s) over the official code
OFFICIAL_RATIO = {"official": 1.222 / 0.421, "pred-ffn64": 1.191 / 0.633}
LR = 0.0003658682841082736


def _patch_predictor(module: Any, model: dict[str, Any]) -> None:
    """Rebuild an older tree's predictor layers at ``model``'s FFN / activation / norm / dropout."""
    from torch import nn

    blocks = module.predictor.blocks
    first = blocks.layers[0]
    width, heads = first.linear1.in_features, first.self_attn.num_heads
    layer = nn.TransformerEncoderLayer(width, heads, model["pred_ffn_dim"], model.get("pred_dropout", 0.0),
                                       model["pred_activation"], batch_first=True,
                                       norm_first=model["pred_norm_first"])  # fmt: skip
    module.predictor.blocks = type(blocks)(layer, len(blocks.layers))
    from ssl_plugin_tabular.encoders import trunc_normal_init_

    trunc_normal_init_(module.predictor.blocks)


def child(data: str, model_name: str, steps: int, regions: bool = False) -> dict[str, Any]:
    """In this process (the tree on ``sys.path``): ``steps`` engine steps; steps/s and peak RSS.

    ``regions``: ``train.compile_regions`` (every transformer layer through ``torch.compile``).
    """
    import torch
    from ssl_plugin_tabular.config import TJEPAArgs
    from ssl_plugin_tabular.recipes import RECIPE, paper_config, tjepa_recipe

    from ssl_core.config import load_run_config
    from ssl_core.engine import train
    from ssl_core.utils.bench import peak_rss_mb

    torch.set_num_threads(1)
    time.perf_counter = time.process_time  # the engine's step timer counts this process's CPU time
    model = MODELS[model_name]
    known = {f.name for f in dataclasses.fields(TJEPAArgs)}
    args = {"data": data, **{k: v for k, v in model.items() if k in known}}
    recipe = tjepa_recipe(**args)
    patched = not {"pred_ffn_dim", "pred_activation", "pred_norm_first"} <= known
    if patched:
        _patch_predictor(recipe.module, model)
    every = max(1, steps // 4)
    cfg = paper_config(steps=steps, warmup_steps=max(1, steps // 30))
    cfg["optim"]["lr"] = LR
    cfg["train"].update(seed=0, device="cpu", precision="fp32", progress=False, log_every=every,
                        monitor_every=0, ckpt_every=steps, **({"compile_regions": True} if regions else {}))  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp) / "run"
        train(load_run_config({"recipe": RECIPE, "recipe_args": args, **cfg}), run, recipe=recipe, force=True)
        rows = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x.strip()]
    rates = [r["samples_per_s"] for r in rows if "samples_per_s" in r]
    pred_params = sum(p.numel() for p in recipe.module.predictor.parameters())
    return {"steps_per_s": harmonic_mean(rates[1:]) / 512, "peak_rss_mb": peak_rss_mb(),
            "predictor_params": pred_params, "patched": patched}  # fmt: skip


def run_child(tree: Path, data: str, model_name: str, steps: int, regions: bool = False) -> dict[str, Any]:
    """One fresh process importing ``tree``'s code (``regions``: with ``train.compile_regions``)."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": f"{tree}{os.pathsep}{tree / 'plugins/ssl-plugin-tabular/src'}"}  # fmt: skip
    cmd = [
        sys.executable,
        __file__,
        "--child",
        data,
        model_name,
        str(steps),
        *(["regions"] if regions else []),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=True, cwd=tree).stdout
    return json.loads(next(x for x in out.splitlines() if x.startswith("SPEED "))[6:])


PLAN = (
    ("old", "bench64"),
    ("new", "bench64"),
    ("new", "pred-ffn64"),
    ("old", "official"),
    ("new", "official"),
)
#: ``--compare-regions``: "old" = this code eager (``--base-tree`` a checkout of it), "new" = with
#: ``train.compile_regions``; both model sizes on both sides, the old bench64 as the chain's anchor
PLAN_REGIONS = (
    ("old", "bench64"),
    ("old", "official"),
    ("new", "official"),
    ("old", "pred-ffn64"),
    ("new", "pred-ffn64"),
)


def compare(old: Path, new: Path, data: str, steps: int, rounds: int, log: dict[str, Any],
            flush: Any = None, regions: bool = False) -> list[dict[str, Any]]:  # fmt: skip
    """``rounds`` rounds over PLAN (PLAN_REGIONS with ``regions``; order reversed every other round)."""
    got: dict[tuple[str, str], list[dict[str, Any]]] = {}
    plan = PLAN_REGIONS if regions else PLAN
    for rnd in range(rounds):
        for code, model in plan if rnd % 2 == 0 else plan[::-1]:
            one = run_child(old if code == "old" else new, data, model, steps, regions and code == "new")
            one["load1"] = os.getloadavg()[0]
            got.setdefault((code, model), []).append(one)
            log.setdefault("compare_runs", []).append({"round": rnd, "code": code, "model": model, **one})
            print(f"[compare {rnd} {code} {model}] {one}", flush=True)
            if flush is not None:
                flush(log)
    anchor = [r["steps_per_s"] for r in got[("old", "bench64")]]
    rows = []
    for (code, model), runs in got.items():
        rates = [r["steps_per_s"] for r in runs]
        vs_anchor = median(a / b for a, b in zip(rates, anchor))  # paired by round
        row = {"code": code, "model": model, "pred params": runs[0]["predictor_params"],
               "steps/s median": round(median(rates), 3), "range": f"{min(rates):.3f}-{max(rates):.3f}",
               "x old bench64": round(vs_anchor, 2), "peak RSS GiB": round(max(r["peak_rss_mb"] for r in runs) / 1024, 2),
               "load1": f"{min(r['load1'] for r in runs):.1f}-{max(r['load1'] for r in runs):.1f}"}  # fmt: skip
        if model in OFFICIAL_RATIO:
            row["x official (chain)"] = round(vs_anchor * OFFICIAL_RATIO[model], 2)
        if code == "new" and ("old", model) in got:  # same model, old code, same round
            old_rates = [r["steps_per_s"] for r in got[("old", model)]]
            row["x old, same model (paired)"] = round(median(a / b for a, b in zip(rates, old_rates)), 3)
        rows.append(row)
    log["compare"] = rows
    return rows


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    t0 = time.monotonic()
    result = child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5:6] == ["regions"])
    print("SPEED " + json.dumps({**result, "wall_s": time.monotonic() - t0}), flush=True)
