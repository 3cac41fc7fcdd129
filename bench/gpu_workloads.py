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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _models import MAEViT, ResNet18, SpeechTransformer  # noqa: E402

from ssl_core.data import TensorDictDataset  # noqa: E402
from ssl_core.engine import train  # noqa: E402
from ssl_core.engine.precision import apply_channels_last  # noqa: E402
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput  # noqa: E402
from ssl_core.objectives import MaskedReconstructionLoss, NTXentLoss  # noqa: E402
from ssl_core.schema import OptimConfig, RunConfig, ScheduleConfig, TrainConfig  # noqa: E402
from ssl_core.utils.bench import markdown_table, print_table  # noqa: E402

FULL = {
    "simclr": dict(batch=512, img=32, width=64, hidden=2048, out=128),
    "mae": dict(
        batch=256, img=224, patch=16, dim=384, depth=12, heads=6, dec_dim=512, dec_depth=8, dec_heads=16
    ),
    "speech": dict(batch=32, frames=1000, n_mels=80, dim=768, layers=3, heads=12, ffn=3072),
}
SMOKE = {
    "simclr": dict(batch=8, img=16, width=8, hidden=32, out=16),
    "mae": dict(batch=4, img=32, patch=8, dim=32, depth=1, heads=2, dec_dim=32, dec_depth=1, dec_heads=2),
    "speech": dict(batch=4, frames=50, n_mels=16, dim=32, layers=1, heads=2, ffn=64),
}
REF_VARIANT = {"fp32": "fp32", "bf16": "bf16_cl", "bf16_compile": "bf16_cl_compile"}


def _rand(shape: tuple[int, ...], device: torch.device, generator: torch.Generator | None) -> Tensor:
    """Uniform noise from the engine's view generator (unseeded under torch.compile, like the reference)."""
    if generator is None or torch.compiler.is_compiling():
        return torch.rand(shape, device=device)
    return torch.rand(shape, device=device, generator=generator)


class SimCLR(SSLModule):
    """SimCLR (Chen et al., 2020): ResNet-18 + 2-layer projector, NT-Xent (tau 0.2) over two views."""

    batch_coupled = True

    def __init__(self, width: int, hidden: int, out: int, **_: Any) -> None:
        super().__init__()
        self.backbone = ResNet18(width)
        d = self.backbone.output_dim
        self.proj = nn.Sequential(
            nn.Linear(d, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, out)
        )
        self.objective = NTXentLoss(temperature=0.2)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        h1, h2 = self.backbone(batch["x1"]), self.backbone(batch["x2"])
        out = self.objective(self.proj(h1), self.proj(h2))
        return StepOutput(out.loss, out.metrics, h1.detach())


class MAE(SSLModule):
    """MAE (He et al., 2022): 75 % random patch masking, MSE on normalised pixels of masked patches."""

    def __init__(self, ratio: float = 0.75, **sizes: Any) -> None:
        super().__init__()
        keys = ("img", "patch", "dim", "depth", "heads", "dec_dim", "dec_depth", "dec_heads")
        self.vit = MAEViT(**{k: sizes[k] for k in keys})
        self.keep = int(self.vit.num_patches * (1 - ratio))
        self.objective = MaskedReconstructionLoss(loss="mse", norm_targets=True)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        imgs = batch["x"]
        noise = _rand((imgs.shape[0], self.vit.num_patches), imgs.device, generator)
        ids_restore = noise.argsort(1).argsort(1)
        ids_keep = noise.argsort(1)[:, : self.keep]
        pred, latent = self.vit(imgs, ids_keep, ids_restore)
        mask = ids_restore >= self.keep
        out = self.objective(pred.float(), self.vit.patchify(imgs).float(), mask)
        return StepOutput(out.loss, out.metrics, latent.mean(1).detach())


class SpeechMAM(SSLModule):
    """TERA-like masked acoustic model (Liu et al., 2021): 15 % of frames zeroed, L1 on them."""

    def __init__(self, n_mels: int, dim: int, layers: int, heads: int, ffn: int, **_: Any) -> None:
        super().__init__()
        self.net = SpeechTransformer(n_mels, dim, layers, heads, ffn)
        self.objective = MaskedReconstructionLoss(loss="l1")

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        mel = batch["x"]
        mask = _rand(tuple(mel.shape[:2]), mel.device, generator) < 0.15
        pred, hidden = self.net(mel.masked_fill(mask[..., None], 0.0))
        out = self.objective(pred.float(), mel.float(), mask)
        return StepOutput(out.loss, out.metrics, hidden.mean(1).detach())


def make_data(name: str, s: dict[str, Any], device: torch.device) -> dict[str, Tensor]:
    """One batch of random inputs on ``device`` (the reference also reuses one random batch)."""
    b = s["batch"]
    if name == "simclr":
        return {k: torch.randn(b, 3, s["img"], s["img"], device=device) for k in ("x1", "x2")}
    if name == "mae":
        return {"x": torch.randn(b, 3, s["img"], s["img"], device=device)}
    return {"x": torch.randn(b, s["frames"], s["n_mels"], device=device)}


MODULES: dict[str, Callable[..., SSLModule]] = {"simclr": SimCLR, "mae": MAE, "speech": SpeechMAM}


class TimedData(TensorDictDataset):
    """Device-resident batches; stamps the (synchronised) time when batch ``i`` in ``marks`` is fetched."""

    def __init__(self, tensors: dict[str, Tensor], marks: set[int]) -> None:
        super().__init__(tensors, source="<bench>")
        self.marks, self.calls = marks, 0
        self.times: list[float] = []
        self.device = next(iter(tensors.values())).device

    def __getitems__(self, indices: Any) -> Batch:  # type: ignore[override]
        if self.calls in self.marks:
            if self.device.type == "cuda":
                torch.cuda.synchronize()
            self.times.append(time.perf_counter())
        self.calls += 1
        idx = torch.as_tensor(indices, dtype=torch.long).to(self.device, non_blocking=True)
        return {k: v.index_select(0, idx) for k, v in self.tensors.items()}


def matmul_ceiling(device: torch.device, n: int = 8192) -> float:
    """Measured FLOP/s of an ``n^3`` matmul (bf16 on CUDA, fp32 on CPU)."""
    dtype = torch.bfloat16 if device.type == "cuda" else torch.float32
    a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    sync()
    t0 = time.perf_counter()
    for _ in range(10):
        a @ b
    sync()
    return 2 * n**3 * 10 / (time.perf_counter() - t0)


def count_flops(module: SSLModule, batch: Batch, bf16: bool, device: torch.device) -> int:
    """FLOPs of one forward + backward of ``module`` on ``batch``."""
    with FlopCounterMode(display=False) as fc:
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss = module(batch).loss
        loss.backward()
    module.zero_grad(set_to_none=True)
    return int(fc.get_total_flops())


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
