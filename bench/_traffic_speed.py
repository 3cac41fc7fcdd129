"""The speed section of ``bench/traffic_stssdl.py``: fresh-process timings and the profile.

The product rates and the ceilings they allow are in :mod:`_traffic_ceiling`.

Each configuration runs in a fresh process of ``bench/traffic_stssdl.py --worker``.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _traffic_config import OFFICIAL_ARGS, PEERS, PEERS_RATIO, recipe_args, train_config

SCRIPT = str(Path(__file__).resolve().with_name("traffic_stssdl.py"))
"""The bench script whose ``--worker`` flag runs :func:`speed_worker` in a fresh process."""


def speed_worker(
    mode: str, steps: int, recompute: bool | None, precision: str = "fp32", fused: bool = False
) -> dict[str, Any]:
    """One configuration in this (fresh) process: time ``steps`` timed steps after one warm-up.

    ``fused``: ``train.compile_regions``. ``samples/s (cpu)`` counts the warm-up step (first-touch
    page faults, and with ``fused`` the
    compilation); ``samples/s (cpu, warm)`` only the steps after it (engine mode: the run stops
    after step 1 and resumes, the compiled cells staying cached in the process).
    """
    import torch

    torch.set_num_threads(1)
    from ssl_core.engine import train
    from ssl_core.plugins import get_registries

    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": recompute}),
        epochs=None,
        steps=steps + 1,
        seed=0,
    )
    config.train.precision = precision  # type: ignore[assignment]
    config.train.compile_regions = fused  # the GCRU cells through torch.compile (ssl_core.nn.regions)
    if mode == "engine":
        with tempfile.TemporaryDirectory() as tmp:
            recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
            t0, c0 = time.perf_counter(), time.process_time()
            train(config, Path(tmp) / "run", recipe=recipe, stop_at=1)
            c1 = time.process_time()
            train(config, Path(tmp) / "run", recipe=recipe, resume=True)
            wall, cpu, warm = time.perf_counter() - t0, time.process_time() - c0, time.process_time() - c1
            rows = [
                json.loads(line) for line in (Path(tmp) / "run" / "metrics.jsonl").read_text().splitlines()
            ]
        step_ms = [r["compute_ms"] for r in rows if "compute_ms" in r][1:]
        per_step = sum(step_ms) / len(step_ms) / 1000 if step_ms else wall / (steps + 1)
    else:
        recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
        module, data = recipe.module, recipe.train_data
        opt = torch.optim.Adam(module.parameters(), lr=0.01, eps=1e-3)
        gen = torch.Generator().manual_seed(0)
        times, t0, c0 = [], time.perf_counter(), time.process_time()
        for step in range(steps + 1):
            s = time.perf_counter()
            batch = data.__getitems__(list(range(step * 64, step * 64 + 64)))  # type: ignore[attr-defined]
            loss = module(batch, gen).loss
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
            opt.step()
            times.append(time.perf_counter() - s)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        warm = cpu * steps / (steps + 1)  # not measured apart in plain mode
        per_step = sum(times[1:]) / steps
    params = sum(p.numel() for p in recipe.module.parameters())
    return {
        "mode": mode,
        "recompute": recompute,
        "precision": precision,
        "fused": fused,
        "params": params,
        "s/step (wall)": per_step,
        "samples/s (wall)": 64 / per_step,
        "samples/s (cpu)": 64 * (steps + 1) / cpu,
        "samples/s (cpu, warm)": 64 * steps / warm,
        "peak RSS MB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


SPEED_CONFIGS = (  # mode, recompute (None: the default, decided from the memory estimate), precision
    ("engine", None, "fp32"),
    ("engine", True, "fp32"),
    ("plain", True, "fp32"),
    ("engine", False, "fp32"),
    ("engine", True, "bf16"),
    ("engine", False, "bf16"),
)


RECOMPUTE_FLAG = {None: "auto", True: "on", False: "off"}


def parse_config(text: str) -> tuple[Any, ...]:
    """``mode:recompute:precision[:fused]`` (e.g. ``engine:off:bf16:fused``) -> a speed configuration."""
    mode, recompute, precision, *rest = text.split(":")
    flag = {v: k for k, v in RECOMPUTE_FLAG.items()}[recompute]
    return (mode, flag, precision, *(("fused",) if rest == ["fused"] else ()))


def _worker_run(cfg: tuple[Any, ...], steps: int, baseline: str | None) -> dict[str, Any]:
    """One fresh ``--worker`` process; ``baseline``: a checkout whose plugin and core go first on the path."""
    mode, recompute, precision = cfg[:3]
    cmd = [sys.executable, SCRIPT, "--worker", mode, "--steps", str(steps), "--precision", precision]
    cmd += ["--recompute", RECOMPUTE_FLAG[recompute], *(["--fuse-cells"] if "fused" in cfg else [])]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    if baseline:
        env["PYTHONPATH"] = os.pathsep.join((f"{baseline}/plugins/ssl-plugin-traffic/src", baseline))
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-2000:])
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    row.update(code="baseline" if baseline else "this", load=os.getloadavg()[0])
    print("SPEED " + json.dumps(row), flush=True)
    return row


def run_speed(
    steps: int,
    repeats: int,
    configs: tuple[tuple[Any, ...], ...] = SPEED_CONFIGS,
    baseline: str | None = None,
) -> list[dict[str, Any]]:
    """Each configuration ``repeats`` times, alternating, each in a fresh process: median [min, max].

    With ``baseline`` (a checkout of the code to compare with) each configuration also runs on it,
    right after this code's run; ``x baseline (paired)`` is the median of the per-round ratios and
    ``x official (chain)`` that times peers.md's side-by-side ratio of the baseline configuration.
    """

    runs: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for _ in range(repeats):
        for cfg in configs:
            for code in (None, baseline) if baseline and "fused" not in cfg else (None,):
                runs.setdefault((*cfg, "baseline" if code else "this"), []).append(
                    _worker_run(cfg, steps, code)
                )
    rows = [_summary(tuple(cfg), code, found, runs) for (*cfg, code), found in runs.items()]
    for row in rows:  # fused rows chain through their eager row's ratio to the baseline
        eager = next((r for r in rows if r["config"] == row["config"][:3] and r["code"] == "this"), None)
        if row["cells"] == "fused" and eager and "x official (chain, warm)" in eager:
            row["x official (chain, warm)"] = (
                row["x eager, warm (paired)"] * eager["x official (chain, warm)"]
            )
    for row in rows:
        row.pop("config")
    return rows


def _paired(found: list[dict[str, Any]], other: list[dict[str, Any]], key: str) -> float:
    """Median over rounds of ``found[i][key] / other[i][key]`` (runs of the same round side by side)."""
    import numpy as np

    return float(np.median([a[key] / b[key] for a, b in zip(found, other)]))


def _summary(
    cfg: tuple[Any, ...], code: str, found: list[dict[str, Any]], runs: dict[tuple[Any, ...], Any]
) -> dict[str, Any]:
    """One configuration's row: medians [min, max] and the paired ratios to its baseline / eager runs.

    ``warm`` ratios leave the first step out, as peers.md's timing of the official code did (first to
    last optimizer step), so ``x official (chain, warm)`` chains through peers.md's ratio.
    """
    import numpy as np

    mode, recompute, precision = cfg[:3]
    row: dict[str, Any] = {"config": cfg, "code": code, "mode": mode, "precision": precision}
    row["cells"] = "fused" if "fused" in cfg else "eager"
    row["recompute"] = "auto (default)" if recompute is None else recompute
    row.update(runs=len(found), params=found[0]["params"])
    for key in ("s/step (wall)", "samples/s (wall)", "samples/s (cpu)", "samples/s (cpu, warm)",
                "peak RSS MB", "load"):  # fmt: skip
        v = np.array([r[key] for r in found])
        row[key] = f"{np.median(v):.2f} [{v.min():.2f}, {v.max():.2f}]"
    row["x official samples/s (cpu)"] = (
        float(np.median([r["samples/s (cpu)"] for r in found])) / PEERS["train samples/s"]
    )
    base = runs.get((*cfg, "baseline")) if code == "this" else None
    if base:
        row["x baseline (paired)"] = _paired(found, base, "samples/s (cpu)")
        row["x baseline, warm (paired)"] = _paired(found, base, "samples/s (cpu, warm)")
        if cfg in PEERS_RATIO:
            row["x official (chain)"] = row["x baseline (paired)"] * PEERS_RATIO[cfg]
            row["x official (chain, warm)"] = row["x baseline, warm (paired)"] * PEERS_RATIO[cfg]
    eager = runs.get((*cfg[:3], code)) if "fused" in cfg else None
    if eager:
        row["x eager, total (paired)"] = _paired(found, eager, "samples/s (cpu)")
        row["x eager, warm (paired)"] = _paired(found, eager, "samples/s (cpu, warm)")
    row["RSS / official"] = float(np.median([r["peak RSS MB"] for r in found])) / PEERS["peak RSS MB"]
    return row


def profile_step(precision: str, recompute: bool | None) -> None:
    """``torch.profiler`` table of one forward + backward at the official size (after a warm-up step)."""
    import torch
    from torch.profiler import ProfilerActivity, profile

    from ssl_core.plugins import get_registries

    torch.set_num_threads(1)
    config = train_config(
        recipe_args("Los-loop", {**OFFICIAL_ARGS, "recompute": recompute}),
        epochs=None,
        steps=1,
        seed=0,
    )
    recipe = get_registries().recipes.build(config.recipe, **config.recipe_args)
    module, batch = recipe.module, recipe.train_data.__getitems__(list(range(64)))  # type: ignore[attr-defined]
    gen = torch.Generator().manual_seed(0)

    def step(label: str) -> None:
        t0 = time.process_time()
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
            loss = module(batch, gen).loss
        loss.backward()
        print(f"{label} step: {time.process_time() - t0:.2f} s CPU", flush=True)

    step("warm-up")
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        step("profiled")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))
