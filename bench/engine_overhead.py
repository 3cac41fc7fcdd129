"""Engine overhead on CPU: ``ssl_core.engine.train`` against a hand-written plain PyTorch loop.

Both sides do identical work: the same SSLModule (an MLP regressing a fixed projection, per-sample
MSE), the same in-memory data and per-(seed, epoch) shuffling, AdamW with a warmup-cosine learning
rate set every step, the loss read back every ``log_every`` steps, and one final checkpoint
(model + optimizer) written with ``torch.save``. The engine additionally runs its non-finite guard
(gradient norm + one host sync per step), writes its run directory (config, environment, JSONL
metrics, log) and its full checkpoint (RNG states, sampler position ...). Monitors are off
(``monitor_every=0``) because the plain loop has none.

Runs are paired and alternated (plain, engine / engine, plain ...) and the table shows the median
of the per-pair ratios engine / plain for: wall-clock time of the whole run (setup and final
checkpoint included), CPU time (this process and its children: robust to other load on a shared
machine), and steady-state ms/step (median over the log windows after the first; the engine's from
its own ``data_ms + compute_ms``, the plain loop's timed the same way). Target: <= 1.03.

    python bench/engine_overhead.py                 # ~1-2 min on 2 CPU cores
    python bench/engine_overhead.py --pairs 3 --steps 20 --hidden 256   # quick look
    python bench/engine_overhead.py --device cuda --steps 300 --batch 4096 --hidden 4096
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import tempfile
import time
from pathlib import Path

import torch
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput
from ssl_core.schema import OptimConfig, RunConfig, ScheduleConfig, TrainConfig
from ssl_core.utils.bench import median_ratio, paired_runs, print_table


class MLPRegress(SSLModule):
    """A 3-layer MLP trained to predict a fixed random projection of its input (per-sample MSE)."""

    def __init__(self, dim: int, hidden: int) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, dim)
        )
        self.register_buffer("target", torch.randn(dim, dim) / math.sqrt(dim))

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        x = batch["x"]
        z = self.net(x)
        loss = (z - x @ self.target).pow(2).mean()
        return StepOutput(loss=loss, metrics={}, embeddings=None)


def _data(n: int, dim: int, device: str) -> TensorDictDataset:
    return TensorDictDataset(
        {"x": torch.randn(n, dim, generator=torch.Generator().manual_seed(1)).to(device)}
    )


def _config(args: argparse.Namespace) -> RunConfig:
    train_cfg = TrainConfig(
        steps=args.steps,
        batch_size=args.batch,
        device=args.device,
        precision="fp32",
        log_every=args.log_every,
        monitor_every=0,
        ckpt_every=10**9,
        progress=False,
    )
    optim = OptimConfig(
        lr=1e-3, weight_decay=0.05, schedule=ScheduleConfig(name="warmup_cosine", warmup_steps=5)
    )
    return RunConfig(recipe="bench/mlp", train=train_cfg, optim=optim)


def _module(args: argparse.Namespace) -> MLPRegress:
    torch.manual_seed(0)
    return MLPRegress(args.dim, args.hidden)


CPU_TIMES: dict[str, list[float]] = {"engine": [], "plain": []}
STEADY_MS: dict[str, list[float]] = {"engine": [], "plain": []}


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _steady(window_ms: list[float]) -> float:
    """Median ms/step over the log windows after the first (which holds warm-up)."""
    return statistics.median(window_ms[1:] or window_ms)


def run_engine(args: argparse.Namespace, data: TensorDictDataset, root: Path) -> float:
    """Seconds for one ``train()`` call (setup, loop, run directory and final checkpoint)."""
    start, cpu = time.perf_counter(), _cpu()
    recipe = Recipe(name="bench/mlp", module=_module(args).to(args.device), train_data=data)
    run_dir = root / f"engine-{time.monotonic_ns()}"
    train(_config(args), run_dir, recipe=recipe)
    CPU_TIMES["engine"].append(_cpu() - cpu)
    wall = time.perf_counter() - start
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    STEADY_MS["engine"].append(_steady([r["data_ms"] + r["compute_ms"] for r in rows]))
    return wall


def run_plain(args: argparse.Namespace, data: TensorDictDataset, root: Path) -> float:
    """Seconds for the equivalent hand-written loop."""
    start, cpu = time.perf_counter(), _cpu()
    model = _module(args).to(args.device)
    decay = [p for n, p in model.named_parameters() if p.dim() > 1]
    no_decay = [p for n, p in model.named_parameters() if p.dim() <= 1]
    groups = [{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}]
    opt = torch.optim.AdamW(groups, fused=args.device.startswith("cuda") or None)
    sampler = GlobalBatchSampler(len(data), args.batch, seed=0)
    warmup, total = 5, args.steps
    windows, t_window = [], time.perf_counter()
    for step in range(total):
        if step < warmup:
            factor = (step + 1) / warmup
        else:
            factor = 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(total - warmup, 1)))
        for group in opt.param_groups:
            group["lr"] = 1e-3 * factor
        batch = data.__getitems__(sampler.rank_indices(step))
        loss = model(batch).loss
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        if (step + 1) % args.log_every == 0:
            loss.item()
            now = time.perf_counter()
            windows.append(1000.0 * (now - t_window) / args.log_every)
            t_window = now
    out = root / f"plain-{time.monotonic_ns()}.pt"
    torch.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "step": total}, out)
    CPU_TIMES["plain"].append(_cpu() - cpu)
    STEADY_MS["plain"].append(_steady(windows))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--hidden", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=8192)
    parser.add_argument("--log-every", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--device", default="cpu", help="cpu (default) or cuda (data on the GPU, fused AdamW)"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    data = _data(args.samples, args.dim, args.device)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        run_plain(args, data, root), run_engine(args, data, root)  # warm-up (imports, allocator)
        for store in (CPU_TIMES, STEADY_MS):
            store["engine"].clear(), store["plain"].clear()
        plain, engine = paired_runs(
            lambda: run_plain(args, data, root), lambda: run_engine(args, data, root), args.pairs
        )
    med = statistics.median
    cpu_e, cpu_p, st_e, st_p = (
        CPU_TIMES["engine"],
        CPU_TIMES["plain"],
        STEADY_MS["engine"],
        STEADY_MS["plain"],
    )
    rows = [
        {"loop": "plain PyTorch", "wall s": med(plain), "cpu s": med(cpu_p), "steady ms/step": med(st_p)},
        {"loop": "ssl_core.engine", "wall s": med(engine), "cpu s": med(cpu_e), "steady ms/step": med(st_e)},
        {
            "loop": "median ratio engine/plain",
            "wall s": median_ratio(engine, plain),
            "cpu s": median_ratio(cpu_e, cpu_p),
            "steady ms/step": median_ratio(st_e, st_p),
        },
    ]
    title = (
        f"engine overhead: {args.pairs} pairs x {args.steps} steps, batch {args.batch}, "
        f"MLP {args.dim}-{args.hidden}-{args.hidden}-{args.dim}, device {args.device}, "
        f"{args.threads} thread(s), torch {torch.__version__}"
    )
    print_table(rows, title)
    print(f"wall ratios:   {[round(e / p, 4) for e, p in zip(engine, plain)]}")
    print(f"cpu ratios:    {[round(e / p, 4) for e, p in zip(cpu_e, cpu_p)]}")
    print(f"steady ratios: {[round(e / p, 4) for e, p in zip(st_e, st_p)]}  target <= 1.03")


if __name__ == "__main__":
    main()
