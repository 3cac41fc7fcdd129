"""Two "nodes" x 1 process through torchrun's rendezvous on loopback train like one process.

Each node is its own ``torchrun --nnodes 2 --nproc-per-node 1`` running ``ssl train`` (gloo, CPU),
joined by the c10d rendezvous (``--rdzv-backend c10d --rdzv-endpoint 127.0.0.1:PORT``; torchrun
assigns the node ranks) or the static one (``--master-addr 127.0.0.1 --master-port PORT
--node-rank R``); both write into one run
directory, as nodes sharing a file system would. The recipe is batch-coupled through
``gather_with_grad`` (InfoNCE against every rank's rows), so the gather crosses the "nodes".

Tolerance: the 2-rank run averages two 8-row gradients (DDP all-reduce) where one process sums 16
rows, and the gathered logits are summed in another order; in float32 that changes results by a few
ulps per step (~1e-7 relative), so 4 steps are compared with ``rtol=1e-5, atol=1e-6``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ssl_core.testing.world import free_port

PLUGIN = """
from ssl_core import PluginManifest, hookimpl

PLUGIN = PluginManifest(name="mn", domain="mn", description="multi-node test recipe")


@hookimpl
def ssl_register_recipes(registry):
    registry.add("mn/coupled", "mn_recipe:build", description="InfoNCE on deterministic views")
"""

RECIPE = """
import torch
from torch import nn

from ssl_core import distributed as dist
from ssl_core.data import TensorDictDataset
from ssl_core.interfaces import Recipe, SSLModule, StepOutput


class Coupled(SSLModule):
    batch_coupled = True

    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 16))

    def forward(self, batch, generator=None):
        x = batch["x"]
        a = nn.functional.normalize(self.enc(x), dim=1)
        b = nn.functional.normalize(dist.gather_with_grad(self.enc(x.flip(-1))), dim=1)
        labels = torch.arange(len(a)) + dist.rank() * len(a)
        loss = nn.functional.cross_entropy(a @ b.T / 0.5, labels)
        return StepOutput(loss=loss, metrics={}, embeddings=a.detach())


def build():
    gen = torch.Generator().manual_seed(0)
    data = TensorDictDataset({"x": torch.randn(64, 8, generator=gen)})
    return Recipe(name="mn/coupled", module=Coupled(), train_data=data)
"""

CONFIG = """
recipe: mn/coupled
train: {steps: 4, batch_size: 16, device: cpu, progress: false, log_every: 1, ckpt_every: 4,
        monitor_every: 0, num_threads: 1}
optim: {name: adamw, lr: 0.01}
"""

TIMEOUT = 150


def _env(site: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSL_CORE_", "TORCHELASTIC_"))}
    root = str(Path(__file__).resolve().parents[2])
    env.update(
        PYTHONPATH=os.pathsep.join([str(site), root, env.get("PYTHONPATH", "")]),
        SSL_CORE_LOAD_PLUGINS="mn",
        OMP_NUM_THREADS="1",
    )
    return env


def _rendezvous(kind: str, rank: int, port: int) -> list[str]:
    if kind == "c10d":
        return ["--rdzv-backend", "c10d", "--rdzv-endpoint", f"127.0.0.1:{port}", "--rdzv-id", "mn-test"]
    return ["--master-addr", "127.0.0.1", "--master-port", str(port), "--node-rank", str(rank)]


def _node(
    kind: str, rank: int, port: int, config: Path, run_dir: Path, env: dict[str, str]
) -> subprocess.Popen[str]:
    launcher = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "2", "--nproc-per-node", "1"]
    launcher += [*_rendezvous(kind, rank, port), "--max-restarts", "0", "--local-addr", "127.0.0.1"]
    cmd = [*launcher, "-m", "ssl_core.cli", "train", str(config), "--run-dir", str(run_dir)]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    """Wait for every node (hard timeout); kill them all if one hangs."""
    out = []
    try:
        for p in procs:
            text, _ = p.communicate(timeout=TIMEOUT)
            out.append((p.returncode, text))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate(timeout=10)
    return out


def _model(run_dir: Path) -> dict[str, torch.Tensor]:
    return torch.load(run_dir / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)["model"]


@pytest.mark.slow
@pytest.mark.timeout(2 * TIMEOUT + 60)
@pytest.mark.parametrize("kind", ["c10d", "static"])
def test_two_nodes_equal_one_process(fake_dist, tmp_path: Path, kind: str) -> None:
    site = fake_dist(
        "ssl-plugin-mn", {"mn_plugin.py": PLUGIN, "mn_recipe.py": RECIPE}, entry_points={"mn": "mn_plugin"}
    )
    env, config = _env(site), tmp_path / "mn.yaml"
    config.write_text(CONFIG)
    port = free_port()
    nodes = [_node(kind, r, port, config, tmp_path / "multi", env) for r in (0, 1)]
    single = subprocess.run(
        [sys.executable, "-m", "ssl_core.cli", "train", str(config), "--run-dir", str(tmp_path / "single")],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert single.returncode == 0, single.stdout[-2000:] + single.stderr[-2000:]
    for code, text in _finish(nodes):
        assert code == 0, text[-4000:]
    assert json.loads((tmp_path / "multi" / "environment.json").read_text())["world_size"] == 2
    assert (tmp_path / "multi" / "metrics.jsonl").read_text().count("\n") == 4  # rank 0 logs alone
    want, got = _model(tmp_path / "single"), _model(tmp_path / "multi")
    assert want.keys() == got.keys()
    for key, value in want.items():
        assert torch.allclose(got[key], value, rtol=1e-5, atol=1e-6), key
        assert not torch.equal(value, _model_init()[key])  # training moved every tensor


def _model_init() -> dict[str, torch.Tensor]:
    torch.manual_seed(0)
    enc = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16))
    return {f"enc.{k}": v for k, v in enc.state_dict().items()}
