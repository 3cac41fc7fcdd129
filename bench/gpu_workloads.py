"""The three GPU workloads of ``/work/shared/bench/README.md``, trained by the ssl-core ENGINE.

What is timed: ``ssl_core.engine.train()`` itself (H2a's loop: schedules, ``set_lr_wd``, forward
under the engine's precision context, backward, non-finite guard, fused AdamW from
``ssl_core.optim.build_optimizer``, logging every 10 steps), with a ``Recipe`` whose SSLModule is
built from ssl-core objectives (``NTXentLoss``, ``MaskedReconstructionLoss``) and the backbones of
``bench/_models.py`` (no torchvision). Engine defaults on GPU: bf16 autocast, fused AdamW,
channels_last for the CNN, ``torch.compile`` of the forward as a variant. Monitors and checkpoints
are pushed past the timed steps. The batch lives on the device; the dataset's ``__getitems__``
synchronises CUDA and stamps the time at fixed steps, so the median of three windows of
``--steps`` optimizer steps is timed after ``--warm`` warm-up steps (as the reference does).

FLOPs per step come from ``torch.utils.flop_counter.FlopCounterMode`` over one forward+backward,
MFU = FLOP/s over the measured 8192^3 bf16 matmul ceiling of the same card. On CUDA the reference
(``reference_workloads.py``, path ``--reference``) is run in the same process for side-by-side
numbers. ``--smoke`` runs tiny sizes on CPU (no reference: it needs CUDA).

    python bench/gpu_workloads.py --reference .gpu/reference_workloads.py
    python bench/gpu_workloads.py --smoke
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _gpu_modules import FULL, MODULES, SMOKE, make_data  # noqa: E402
from _gpu_timing import TimedData, count_flops, matmul_ceiling  # noqa: E402

from ssl_core.engine import train  # noqa: E402
from ssl_core.engine.precision import apply_channels_last  # noqa: E402
from ssl_core.interfaces import Recipe  # noqa: E402
from ssl_core.schema import OptimConfig, RunConfig, ScheduleConfig, TrainConfig  # noqa: E402
from ssl_core.utils.bench import markdown_table, print_table  # noqa: E402

REF_VARIANT = {"fp32": "fp32", "bf16": "bf16_cl", "bf16_compile": "bf16_cl_compile"}


def run_ours(
    name: str, variant: str, s: dict[str, Any], device: torch.device, warm: int, steps: int
) -> dict[str, Any]:
    """Train the workload with ``ssl_core.engine.train`` and time ``steps``-step windows."""
    torch.manual_seed(0)
    bf16, compile_, cl = (
        variant != "fp32",
        variant.endswith("compile"),
        name == "simclr" and variant != "fp32",
    )
    module = MODULES[name](**s).to(device)
    tensors = make_data(name, s, device)
    if cl:
        apply_channels_last(module)
        tensors = {k: v.contiguous(memory_format=torch.channels_last) for k, v in tensors.items()}
    flops = count_flops(module, tensors, bf16 and device.type == "cuda", device)
    marks = {warm, warm + steps, warm + 2 * steps, warm + 3 * steps}
    data = TimedData(tensors, marks)
    tc = TrainConfig(
        steps=warm + 3 * steps + 1, batch_size=s["batch"], device=str(device), seed=0,
        precision="auto" if bf16 else "fp32", compile=compile_, channels_last=cl,
        log_every=10, monitor_every=10**9, ckpt_every=10**9, progress=False,
    )  # fmt: skip
    optim = OptimConfig(name="adamw", lr=1e-4, weight_decay=0.01, schedule=ScheduleConfig(name="constant"))
    cfg = RunConfig(recipe=f"bench/{name}", train=tc, optim=optim)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats()
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        train(cfg, Path(tmp) / "run", recipe=Recipe(name=cfg.recipe, module=module, train_data=data))
    windows = [(b - a) / steps for a, b in zip(data.times, data.times[1:])]
    t = sorted(windows)[len(windows) // 2]
    mem = torch.cuda.max_memory_allocated() / 2**30 if device.type == "cuda" else 0.0
    return dict(
        workload=name, variant=variant, impl="ssl-core", batch=s["batch"], step_ms=round(t * 1e3, 2),
        samples_per_s=round(s["batch"] / t, 1), flops=flops, tflops=float(f"{flops / t / 1e12:.4g}"),
        spread=round((max(windows) - min(windows)) / t, 3), mem_gb=round(mem, 1),
        total_s=round(time.perf_counter() - t0, 1),
    )  # fmt: skip


def run_plain(
    name: str, variant: str, s: dict[str, Any], device: torch.device, warm: int, steps: int
) -> dict[str, Any]:
    """OUR module in the reference's own plain loop (autocast, backward, fused AdamW, CUDA events).

    Side by side with ``ssl-core`` (the engine on the same module) and ``reference`` (the reference's
    model in this loop), it splits a gap into the model's share and the engine's share.
    """
    torch.manual_seed(0)
    bf16, compile_ = variant != "fp32", variant.endswith("compile")
    module = MODULES[name](**s).to(device)
    batch = make_data(name, s, device)
    if name == "simclr" and bf16:
        apply_channels_last(module)
        batch = {k: v.contiguous(memory_format=torch.channels_last) for k, v in batch.items()}
    opt = torch.optim.AdamW(module.parameters(), lr=1e-4, fused=device.type == "cuda")
    fwd: Any = torch.compile(module) if compile_ else module

    def step() -> None:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = fwd(batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(warm):
        step()
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    times = []
    for _ in range(3):
        sync()
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
        sync()
        times.append((time.perf_counter() - t0) / steps)
    t = sorted(times)[1]
    return dict(workload=name, variant=variant, impl="plain", batch=s["batch"], step_ms=round(t * 1e3, 2),
                samples_per_s=round(s["batch"] / t, 1), spread=round((max(times) - min(times)) / t, 3))  # fmt: skip


def load_reference(path: Path, peak: float) -> Any:
    """Import ``reference_workloads.py`` from ``path`` and give it the measured ceiling."""
    spec = importlib.util.spec_from_file_location("reference_workloads", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"{path}: cannot import the reference workloads")
    ref: Any = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    ref.PEAK = peak
    return ref


def run_reference(ref: Any, name: str, variant: str, warm: int, steps: int) -> dict[str, Any]:
    """The reference's own ``bench()`` on the same card, in the same process."""
    dev = ref.dev
    batches = {
        "simclr": (ref.SimCLR, lambda: (torch.randn(512, 3, 32, 32, device=dev), torch.randn(512, 3, 32, 32, device=dev))),
        "mae": (ref.MAE, lambda: (torch.randn(256, 3, 224, 224, device=dev),)),
        "speech": (ref.SpeechMAM, lambda: (torch.randn(32, 1000, 80, device=dev),)),
    }  # fmt: skip
    ref.bench(name, *batches[name], REF_VARIANT[variant], steps=steps, warm=warm)
    r = dict(ref.results[-1])
    r["variant"], r["impl"] = variant, "reference"
    return r


def _plan(a: argparse.Namespace) -> list[tuple[str, str]]:
    """``[(variant, workload), ...]`` from ``--plan "v:w1,w2;v2:w3"`` or variants x workloads."""
    if a.plan:
        return [(v, w) for part in a.plan.split(";") for v, ws in [part.split(":")] for w in ws.split(",")]
    variants = a.variants or ("bf16" if a.smoke else "bf16,bf16_compile")
    return [(v, w) for v in variants.split(",") for w in a.workloads.split(",")]


def _run_pair(
    ref: Any,
    name: str,
    variant: str,
    sizes: dict[str, Any],
    device: torch.device,
    warm: int,
    steps: int,
    peak: float,
    plain: bool = False,
) -> list[dict[str, Any]]:
    """The reference (when loaded), ssl-core, then (``plain``) our module in a plain loop; errors become rows."""
    rows = []
    impls = ["reference", "ssl-core"] if ref is not None else ["ssl-core"]
    for impl in [*impls, "plain"] if plain else impls:
        try:
            if impl == "reference":
                row = run_reference(ref, name, variant, warm, steps)
            elif impl == "plain":
                row = run_plain(name, variant, sizes[name], device, warm, steps)
            else:
                row = run_ours(name, variant, sizes[name], device, warm, steps)
                row["mfu"] = float(f"{row['flops'] / (row['batch'] / row['samples_per_s']) / peak:.3g}")
        except Exception as exc:  # keep going: one failing workload must not hide the others
            row = dict(workload=name, variant=variant, impl=impl, error=repr(exc)[:300])
        print(json.dumps(row), flush=True)
        rows.append(row)
        if device.type == "cuda":
            torch.cuda.empty_cache()
    return rows


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes on CPU (no reference)")
    p.add_argument("--workloads", default="simclr,mae,speech")
    p.add_argument("--variants", default=None, help="comma list of fp32, bf16, bf16_compile")
    p.add_argument("--plan", default=None, help='explicit order, e.g. "bf16:simclr,mae;bf16_compile:speech"')
    p.add_argument("--reference", type=Path, default=Path(".gpu/reference_workloads.py"))
    p.add_argument("--no-reference", action="store_true")
    p.add_argument("--plain", action="store_true", help="also time our module in the reference's plain loop")
    p.add_argument("--warm", type=int, default=6)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument(
        "--budget-s", type=float, default=float("inf"), help="start no new pair after this many seconds"
    )
    p.add_argument(
        "--json", type=Path, default=None, help="write the rows here (default $OUT/gpu_workloads.json)"
    )
    a = p.parse_args(argv)
    start = time.perf_counter()
    device = torch.device("cpu" if a.smoke or not torch.cuda.is_available() else "cuda")
    sizes = SMOKE if a.smoke else FULL
    warm, steps = (1, 2) if a.smoke else (a.warm, a.steps)
    torch.backends.cudnn.benchmark = True
    peak = matmul_ceiling(device, 512 if a.smoke else 8192)
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name() if device.type == 'cuda' else 'cpu'}; "
          f"matmul ceiling {peak / 1e12:.1f} TFLOP/s", flush=True)  # fmt: skip
    ref = None
    if device.type == "cuda" and not a.no_reference:
        ref = load_reference(a.reference, peak)
    out = a.json or (Path(os.environ["OUT"]) / "gpu_workloads.json" if os.environ.get("OUT") else None)
    rows: list[dict[str, Any]] = []
    for variant, name in _plan(a):
        if time.perf_counter() - start > a.budget_s:
            rows.append(dict(workload=name, variant=variant, impl="both", error="skipped: time budget"))
            continue
        rows += _run_pair(ref, name, variant, sizes, device, warm, steps, peak, a.plain)
        if out is not None:  # after every pair, so a killed run keeps what it measured
            out.write_text(json.dumps(dict(peak_tflops=peak / 1e12, device=str(device), rows=rows), indent=1))
    _summarise(rows, device)
    return rows


def _summarise(rows: list[dict[str, Any]], device: torch.device) -> None:
    """Print the side-by-side table (text and markdown)."""
    ref = {
        (r["workload"], r["variant"]): r for r in rows if r.get("impl") == "reference" and "error" not in r
    }
    table = []
    for r in rows:
        if "error" in r:
            table.append(
                dict(workload=r["workload"], variant=r["variant"], impl=r["impl"], error=r["error"][:60])
            )
            continue
        row = {
            k: r.get(k)
            for k in ("workload", "variant", "impl", "batch", "step_ms", "samples_per_s", "tflops", "mfu")
        }
        base = ref.get((r["workload"], r["variant"]))
        if r["impl"] in ("ssl-core", "plain") and base is not None:
            row["vs_ref"] = round(r["samples_per_s"] / base["samples_per_s"], 3)
        table.append(row)
    print_table(table, title=f"GPU workloads ({device})")
    print(markdown_table(table), flush=True)


if __name__ == "__main__":
    main()
