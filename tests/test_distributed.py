"""ssl_core.distributed, the spawned test world and the global-batch equivalence check."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core import distributed as D
from ssl_core.ema import ema_update_, make_teacher
from ssl_core.testing.distributed_checks import check_matches_global_batch
from ssl_core.testing.world import run_world


def _plain_gather(t: Tensor) -> Tensor:
    """The classic mistake: ``dist.all_gather`` (no autograd) with the own slot swapped back in."""
    if not dist.is_initialized():
        return t
    parts = [torch.empty_like(t) for _ in range(dist.get_world_size())]
    dist.all_gather(parts, t.detach().contiguous())
    parts[dist.get_rank()] = t
    return torch.cat(parts)


class ToyInfoNCE(nn.Module):
    """InfoNCE of local z1 rows against z2 gathered from all ranks, learnable temperature."""

    def __init__(self) -> None:
        super().__init__()
        self.log_scale = nn.Parameter(torch.tensor(0.5))

    def gather(self, t: Tensor) -> Tensor:
        return D.gather_with_grad(t)

    def forward(self, z1: Tensor, z2: Tensor) -> Tensor:
        keys = self.gather(F.normalize(z2, dim=1))
        logits = F.normalize(z1, dim=1) @ keys.T * self.log_scale.exp()
        return F.cross_entropy(logits, torch.arange(z1.shape[0]) + D.rank() * z1.shape[0])


class WrongGatherInfoNCE(ToyInfoNCE):
    def gather(self, t: Tensor) -> Tensor:
        return _plain_gather(t)


def _inputs() -> tuple[Tensor, Tensor]:
    g = torch.Generator().manual_seed(1)
    return torch.randn(8, 5, generator=g, dtype=torch.float64), torch.randn(
        8, 5, generator=g, dtype=torch.float64
    )


# ---------------------------------------------------------------- single process


def test_single_process_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert not D.init_from_env() and not D.is_initialized()
    assert (D.world_size(), D.rank(), D.is_main()) == (1, 0, True)
    D.barrier()
    x = torch.randn(3, 2, requires_grad=True)
    assert D.gather_with_grad(x) is x and D.all_reduce_mean(x) is x
    net = nn.Linear(2, 2)
    assert D.wrap_model(net, "none", "cpu") is net and D.wrap_model(net, "auto", "cpu") is net
    assert D.unwrap(net) is net


def test_wrap_model_errors() -> None:
    with pytest.raises(ValueError, match="unknown strategy 'zero3'"):
        D.wrap_model(nn.Linear(2, 2), "zero3", "cpu")
    with pytest.raises(ValueError, match="needs a process group"):
        D.wrap_model(nn.Linear(2, 2), "ddp", "cpu")


def test_relaunch_with_torchrun_command(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_run(cmd: list[str], check: bool) -> subprocess.CompletedProcess[bytes]:
        seen.append(cmd)
        return subprocess.CompletedProcess(cmd, 3)

    monkeypatch.setattr(subprocess, "run", fake_run)
    assert D.relaunch_with_torchrun(2, ["train", "cfg.yaml"]) == 3
    assert seen[0][1:] == [
        "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", "-m", "ssl_core.cli", "train", "cfg.yaml",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="nproc-per-node"):
        D.relaunch_with_torchrun(0, [])


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_relaunch_with_torchrun_runs_two_cli_processes(capfd: pytest.CaptureFixture[str]) -> None:
    assert D.relaunch_with_torchrun(2, ["--version"]) == 0
    assert capfd.readouterr().out.count("ssl-core, version") == 2


TORCHRUN_SCRIPT = """
import pathlib
import sys
import torch
from ssl_core import distributed as D
assert D.init_from_env()
x = torch.full((2, 1), float(D.rank()), requires_grad=True)
D.gather_with_grad(x).sum().backward()
line = f"rank={D.rank()} local={D.local_rank()} world={D.world_size()} grad={x.grad.sum().item()}"
# one file per rank: torchrun may interleave the ranks' stdout without newlines
pathlib.Path(sys.argv[1], f"rank{D.rank()}.txt").write_text(line)
torch.distributed.destroy_process_group()
"""


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_init_from_env_under_torchrun(tmp_path: Path) -> None:
    script = tmp_path / "worker.py"
    script.write_text(TORCHRUN_SCRIPT)
    cmd = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc-per-node",
        "2",
        str(script),
        str(tmp_path),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=220, check=False)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    lines = sorted(p.read_text() for p in tmp_path.glob("rank*.txt"))
    # every rank's 2 rows feed both ranks' sums: gradient 2 per element, 4 per rank
    want = ["rank=0 local=0 world=2 grad=4.0", "rank=1 local=1 world=2 grad=4.0"]
    assert lines == want, res.stdout[-2000:] + res.stderr[-3000:]


# ---------------------------------------------------------------- spawned worlds


def _collectives(rank: int, world_size: int) -> dict[str, object]:
    assert D.init_from_env() and D.is_initialized()  # the group already exists: reused
    D.barrier()
    x = (torch.arange(6.0).reshape(3, 2) + 100 * rank).requires_grad_()
    g = D.gather_with_grad(x)
    weights = torch.arange(g.numel(), dtype=torch.float32).reshape(g.shape) * (rank + 1)
    (g * weights).sum().backward()
    mean = D.all_reduce_mean(torch.tensor([float(rank)]))
    # ranks are not daemonic processes, so they may start DataLoader workers
    data = torch.utils.data.TensorDataset(torch.arange(4.0))
    assert (
        sum(b[0].sum().item() for b in torch.utils.data.DataLoader(data, batch_size=2, num_workers=1)) == 6.0
    )
    return {
        "g": g.detach(),
        "grad": x.grad,
        "mean": mean,
        "ws": D.world_size(),
        "rank": D.rank(),
        "main": D.is_main(),
    }


@pytest.mark.timeout(120)
def test_gather_with_grad_and_all_reduce_mean() -> None:
    out = run_world(_collectives, 2)
    full = torch.cat([torch.arange(6.0).reshape(3, 2), torch.arange(6.0).reshape(3, 2) + 100])
    # each rank's loss weights the gathered rows by w * (rank + 1): the summed gradient is 3 w
    w = torch.arange(12.0).reshape(6, 2)
    for r, res in enumerate(out):
        assert torch.equal(res["g"], full)
        torch.testing.assert_close(res["grad"], 3 * w[3 * r : 3 * r + 3])
        assert res["mean"].item() == 0.5 and res["ws"] == 2 and res["rank"] == r and res["main"] == (r == 0)


def _boom(rank: int, world_size: int) -> None:
    if rank == 1:
        raise KeyError("rank one exploded")
    dist.barrier()


def _hang(rank: int, world_size: int) -> None:
    if rank == 0:
        time.sleep(60)


@pytest.mark.timeout(120)
def test_run_world_reports_crash_with_traceback() -> None:
    with pytest.raises(RuntimeError, match="rank 1 raised") as info:
        run_world(_boom, 2, timeout=60)
    assert "rank one exploded" in str(info.value)


@pytest.mark.timeout(120)
def test_run_world_kills_a_hang_within_timeout() -> None:
    t0 = time.monotonic()
    with pytest.raises(RuntimeError, match="rank 0: no result"):
        run_world(_hang, 2, timeout=8)
    assert time.monotonic() - t0 < 30


@pytest.mark.timeout(120)
def test_check_matches_global_batch_accepts_gather_with_grad() -> None:
    out = check_matches_global_batch(ToyInfoNCE, _inputs(), world_size=2)
    assert len(out["rank_losses"]) == 2


@pytest.mark.timeout(120)
def test_check_matches_global_batch_rejects_plain_all_gather() -> None:
    with pytest.raises(AssertionError, match="grad"):
        check_matches_global_batch(WrongGatherInfoNCE, _inputs(), world_size=2)


def test_check_rejects_indivisible_batch() -> None:
    with pytest.raises(ValueError, match="not divisible"):
        check_matches_global_batch(ToyInfoNCE, (torch.randn(3, 2), torch.randn(3, 2)))


class _TwoView(nn.Module):
    """Encoder shared by two views (called twice per step) + the toy InfoNCE."""

    def __init__(self) -> None:
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 4))
        self.loss = ToyInfoNCE()

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return self.loss(self.enc(x1), self.enc(x2))


def _full(g: Tensor | None) -> Tensor | None:
    return g.full_tensor() if g is not None and hasattr(g, "full_tensor") else g


def _wrapped_grads(rank: int, world_size: int) -> dict[str, dict[str, Tensor | None]]:
    out = {}
    for strategy in ("ddp", "fsdp2"):
        torch.manual_seed(0)
        model = D.wrap_model(_TwoView(), strategy, "cpu")
        x1, x2 = (x.float().chunk(world_size)[rank] for x in _inputs())
        model(x1, x2).backward()
        out[strategy] = {n: _full(p.grad) for n, p in D.unwrap(model).named_parameters()}
    # EMA on identically sharded FSDP2 modules (DTensor shards + a replicated 0-d parameter)
    torch.manual_seed(1)
    teacher = D.wrap_model(make_teacher(_TwoView()), "fsdp2", "cpu")
    ema_update_(teacher, model, 0.25)
    out["ema"] = {n: _full(p.detach()) for n, p in teacher.named_parameters()}
    flagged = _TwoView()
    flagged.find_unused_parameters = True
    out["flags"] = [D.wrap_model(flagged, "ddp", "cpu").find_unused_parameters,
                    D.wrap_model(_TwoView(), "ddp", "cpu").find_unused_parameters]  # fmt: skip
    return out


@pytest.mark.timeout(180)
def test_wrapped_model_grads_equal_single_process() -> None:
    """DDP and FSDP2 (encoder called twice, scalar parameter replicated) match one process."""
    torch.manual_seed(0)
    ref = _TwoView()
    x1, x2 = (x.float() for x in _inputs())
    ref(x1, x2).backward()
    ranks = run_world(_wrapped_grads, 2)
    for strategy in ("ddp", "fsdp2"):
        for name, p in ref.named_parameters():
            for r in ranks:
                torch.testing.assert_close(
                    r[strategy][name], p.grad, rtol=1e-5, atol=1e-6, msg=f"{strategy} {name}"
                )
