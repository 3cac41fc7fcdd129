"""Data-parallel scaling on CPU: one process against two gloo ranks (DDP and FSDP2), side by side.

Every run trains the same batch-coupled model (an MLP encoder, InfoNCE of each local row against the
rows gathered from all ranks with ``gather_with_grad``, deterministic views) for the same steps on
the same GLOBAL batch through ``ssl_core.engine.train`` (SGD with momentum: Adam divides by the root
of the second moment, which turns float32 reduction-order differences of near-zero gradients into
visible weight differences, hiding what the check is for); the multi-process runs are a spawned
2-rank gloo world (``ssl_core.testing.world.run_world``), as two torchrun processes would be.

Columns: steady-state samples/s of rank 0 (the engine's own ``samples_per_s``, median over the
log windows after the first; process start-up and the final checkpoint are excluded), the speed-up
over one process with one thread, and the equality check: the largest absolute difference of the
final weights from the one-process run and whether they are ``allclose(rtol=1e-5, atol=1e-6)``.
Rounds alternate the order of the configurations; the table shows each one's median.

    python bench/distributed_scaling.py                   # ~1-2 min on 2 CPU cores
    python bench/distributed_scaling.py --rounds 1 --steps 20 --hidden 256   # quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ssl_core import distributed as dist
from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput
from ssl_core.schema import OptimConfig, RunConfig, TrainConfig
from ssl_core.testing.world import run_world
from ssl_core.utils.bench import markdown_table


class CoupledMLP(SSLModule):
    """InfoNCE between an MLP's embeddings of ``x`` and of ``x`` reversed, negatives from every rank."""

    batch_coupled = True

    def __init__(self, dim: int, hidden: int, out: int) -> None:
        super().__init__()
        self.enc = nn.Sequential(
            nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, out)
        )

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        x = batch["x"]
        a = nn.functional.normalize(self.enc(x), dim=1)
        b = nn.functional.normalize(dist.gather_with_grad(self.enc(x.flip(-1))), dim=1)
        labels = torch.arange(len(a)) + dist.rank() * len(a)
        loss = nn.functional.cross_entropy(a @ b.T / 0.2, labels)
        return StepOutput(loss=loss, metrics={}, embeddings=None)


def _recipe(args: dict[str, int]) -> Recipe:
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(args["n"], args["dim"], generator=gen)
    torch.manual_seed(0)
    module = CoupledMLP(args["dim"], args["hidden"], args["out"])
    return Recipe(name="bench/coupled", module=module, train_data=TensorDictDataset({"x": x}))


def _config(args: dict[str, int], strategy: str, threads: int) -> RunConfig:
    train_cfg = TrainConfig(
        steps=args["steps"],
        batch_size=args["batch"],
        device="cpu",
        strategy=strategy,
        num_threads=threads,
        progress=False,
        log_every=args["log_every"],
        ckpt_every=args["steps"],
        monitor_every=0,
    )
    return RunConfig(recipe="bench/coupled", train=train_cfg, optim=OptimConfig(name="sgd", lr=0.05))


def _steady_rate(run_dir: Path) -> float:
    import json

    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    rates = [r["samples_per_s"] for r in rows[1:] if "samples_per_s" in r]
    return statistics.median(rates)


def _full_state(module: nn.Module, strategy: str) -> dict[str, torch.Tensor]:
    if strategy == "fsdp2":
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

        return get_model_state_dict(module, options=StateDictOptions(full_state_dict=True))
    return {k: v.detach().clone() for k, v in dist.unwrap(module).state_dict().items()}


def _rank(rank: int, world: int, root: str, args: dict[str, int], strategy: str) -> dict[str, Any]:
    torch.set_num_threads(1)
    res = train(_config(args, strategy, 1), Path(root), recipe=_recipe(args))
    state = _full_state(res.module, strategy)
    return {"rate": _steady_rate(Path(root)) if rank == 0 else 0.0, "state": state}


def _single(root: str, args: dict[str, int], threads: int) -> dict[str, Any]:
    res = train(_config(args, "none", threads), Path(root), recipe=_recipe(args))
    return {"rate": _steady_rate(Path(root)), "state": _full_state(res.module, "none")}


RUNS: dict[str, Callable[[str, dict[str, int]], dict[str, Any]]] = {
    "1 process x 1 thread": lambda root, a: _single(root, a, 1),
    "1 process x 2 threads": lambda root, a: _single(root, a, 2),
    "2 processes x 1 thread, DDP (gloo)": lambda root, a: run_world(
        _rank, 2, args=(root, a, "ddp"), timeout=600
    )[0],
    "2 processes x 1 thread, FSDP2 (gloo)": lambda root, a: run_world(
        _rank, 2, args=(root, a, "fsdp2"), timeout=600
    )[0],
}


def _compare(state: dict[str, torch.Tensor], ref: dict[str, torch.Tensor]) -> tuple[float, bool]:
    diff = max(float((state[k] - v).abs().max()) for k, v in ref.items())
    same = all(torch.allclose(state[k], v, rtol=1e-5, atol=1e-6) for k, v in ref.items())
    return diff, same


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--batch", type=int, default=512, help="global batch")
    p.add_argument("--dim", type=int, default=64)
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--out", type=int, default=256)
    p.add_argument("--n", type=int, default=8192, help="training samples")
    ns = p.parse_args()
    args = {k: getattr(ns, k) for k in ("steps", "log_every", "batch", "dim", "hidden", "out", "n")}
    names = list(RUNS)
    rates: dict[str, list[float]] = {n: [] for n in names}
    states: dict[str, dict[str, torch.Tensor]] = {}
    start = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_before = os.getloadavg()[0]
    for r in range(ns.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            with tempfile.TemporaryDirectory() as tmp:
                out = RUNS[name](str(Path(tmp) / "run"), args)
            rates[name].append(out["rate"])
            states[name] = out["state"]
    ref, base = states[names[0]], statistics.median(rates[names[0]])
    rows = []
    for name in names:
        diff, same = _compare(states[name], ref)
        rate = statistics.median(rates[name])
        rows.append(
            {
                "run": name,
                "samples/s": round(rate, 1),
                "speed-up": f"{rate / base:.2f}x",
                "max abs diff vs 1 process": f"{diff:.1e}",
                "allclose": "yes" if same else "NO",
            }
        )
    print(
        f"{start}; {platform.node()}: {platform.processor() or platform.machine()}, torch {torch.__version__}"
    )
    print(
        f"{os.cpu_count()} CPU cores; 1-min load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} "
        f"after (other jobs included); rounds={ns.rounds}; {args}"
    )
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
