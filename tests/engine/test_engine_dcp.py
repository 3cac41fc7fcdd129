"""FSDP2 checkpoints as ``torch.distributed.checkpoint`` directories: save on 2 ranks, resume on 2 and 1.

Tolerances: resuming on the same 2 ranks replays the same operations, so it is compared exactly.
Resuming on 1 process sums each step's 16 per-sample gradients in one reduction instead of two
8-sample halves averaged across ranks; in float32 that reorders additions (relative error ~1e-7
per step), hence ``rtol=1e-5, atol=1e-6`` over 2 steps, as for the DDP-vs-single-process tests.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pytest
import torch
from _engine_toy import Regress, config, recipe, toy_data

from ssl_core.engine import load_run, train
from ssl_core.engine.checkpoint import latest_checkpoint, list_checkpoints
from ssl_core.engine.sharded import META, load_sharded, merge_tensors, save_sharded, split_tensors
from ssl_core.errors import CheckpointError
from ssl_core.testing.world import run_world

STEPS, STOP = 4, 2


def _cfg(strategy: str = "fsdp2") -> Any:
    return config(steps=STEPS, batch_size=16, ckpt_every=2, keep_checkpoints=1, strategy=strategy)


def _full(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

    opts = StateDictOptions(full_state_dict=True)  # on every rank (cpu_offload: rank 0 only)
    return {k: v.clone() for k, v in get_model_state_dict(module, options=opts).items()}


def _two_ranks(rank: int, world: int, root: str) -> dict[str, Any]:
    torch.set_num_threads(1)
    base = Path(root)
    full = train(_cfg(), base / "full", recipe=recipe(Regress))
    train(_cfg(), base / "part", recipe=recipe(Regress), stop_at=STOP)
    if rank == 0:  # a copy of the interrupted run, resumed later on one process
        for copy in ("part1", "part2"):
            shutil.copytree(base / "part", base / copy, symlinks=True)
    torch.distributed.barrier()
    resumed = train(_cfg(), base / "part", recipe=recipe(Regress), resume=True)
    return {"full": _full(full.module), "resumed": _full(resumed.module)}


def _one_rank(rank: int, world: int, root: str) -> dict[str, torch.Tensor]:
    torch.set_num_threads(1)
    return _full(train(_cfg(), Path(root) / "part1", recipe=recipe(Regress), resume=True).module)


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_fsdp2_dcp_checkpoints_resume_on_two_and_one_rank(tmp_path: Path) -> None:
    got = run_world(_two_ranks, 2, args=(str(tmp_path),), timeout=180)
    ckpts = tmp_path / "full" / "checkpoints"
    last = latest_checkpoint(tmp_path / "full")
    assert last == ckpts / "last.dcp" and os.readlink(last) == f"step_{STEPS}.dcp"
    assert not (ckpts / "last.pt").exists() and [s for s, _ in list_checkpoints(tmp_path / "full")] == []
    assert [s for s, _ in list_checkpoints(tmp_path / "full", sharded=True)] == [STEPS]  # pruned to 1
    files = {p.name for p in (ckpts / f"step_{STEPS}.dcp").iterdir()}
    assert {".metadata", "__0_0.distcp", "__1_0.distcp", META} <= files  # each rank wrote its shards
    assert not [p for p in ckpts.iterdir() if p.name.startswith(".")]  # no staging folder left
    full = got[0]["full"]
    for res in got:
        for key, value in full.items():
            assert torch.equal(res["resumed"][key], value), key  # same ranks, same operations
    one = run_world(_one_rank, 1, args=(str(tmp_path),), timeout=120)[0]  # 2 shards -> 1 rank
    # one process, no group, plain module (strategy none: a changed config, hence force)
    plain = train(_cfg("none"), tmp_path / "part2", recipe=recipe(Regress), resume=True, force=True)
    for key, value in full.items():
        assert torch.allclose(one[key], value, rtol=1e-5, atol=1e-6), key
        assert torch.allclose(plain.module.state_dict()[key], value, rtol=1e-5, atol=1e-6), key
    loaded = load_run(tmp_path / "full", recipe=recipe(Regress)).module.state_dict()  # no process group
    for key, value in full.items():
        assert torch.equal(loaded[key], value), key


def _trained() -> tuple[torch.nn.Module, torch.optim.Optimizer]:
    torch.manual_seed(0)
    module = Regress()
    opt = torch.optim.AdamW(module.parameters(), lr=0.1)
    for _ in range(2):
        module(toy_data(16)[list(range(16))]).loss.backward()
        opt.step()
        opt.zero_grad()
    return module, opt


def test_split_and_merge_tensors_round_trip() -> None:
    tree = {"a": torch.ones(2), "b": {"c": 3, "d": torch.zeros(1), "e": {}}, "f": [1, 2.0]}
    tensors, rest = split_tensors(tree)
    assert set(tensors) == {"a", "b"} and set(tensors["b"]) == {"d"}
    assert rest == {"b": {"c": 3, "e": {}}, "f": [1, 2.0]}
    merged = merge_tensors(tensors, rest)
    assert merged["b"]["c"] == 3 and merged["a"] is tree["a"] and merged["b"]["d"] is tree["b"]["d"]


def test_dcp_round_trip_in_one_process(tmp_path: Path) -> None:
    """Without a process group DCP writes one shard file; loading restores model and optimizer."""
    from torch.distributed.checkpoint.state_dict import get_state_dict

    module, opt = _trained()
    model_sd, optim_sd = get_state_dict(module, opt)
    save_sharded({"format": 1, "step": 2, "model": model_sd, "optimizer": optim_sd}, tmp_path / "c.dcp")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    torch.manual_seed(1)
    fresh = Regress()
    fresh_opt = torch.optim.AdamW(fresh.parameters(), lr=0.1)
    state = load_sharded(tmp_path / "c.dcp", fresh, fresh_opt)
    assert state["step"] == 2 and state["layout"] == "dcp"
    from ssl_core.engine.state import load_model_state

    load_model_state(fresh, state)
    for key, value in module.state_dict().items():
        assert torch.equal(fresh.state_dict()[key], value), key
    from torch.distributed.checkpoint.state_dict import set_optimizer_state_dict

    set_optimizer_state_dict(fresh, fresh_opt, state["optimizer"])
    for (_, a), (_, b) in zip(
        sorted(opt.state_dict()["state"].items()), sorted(fresh_opt.state_dict()["state"].items())
    ):
        for k in a:
            assert torch.equal(a[k], b[k]), k
    assert fresh_opt.param_groups[0]["lr"] == 0.1
    save_sharded({"format": 1, "step": 3, "model": model_sd, "optimizer": optim_sd}, tmp_path / "c.dcp")
    assert torch.load(tmp_path / "c.dcp" / META, weights_only=True)["step"] == 3  # replaced in place


class _Evil:
    def __reduce__(self) -> tuple[Any, ...]:
        return (os.getcwd, ())


def _global_call(module: str, name: str) -> bytes:
    """A protocol-4 pickle that calls ``module.name()`` (``name`` may be a dotted path)."""
    text = lambda s: b"\x8c" + bytes([len(s)]) + s.encode()  # noqa: E731 - SHORT_BINUNICODE
    return b"\x80\x04" + text(module) + text(name) + b"\x93)R."


@pytest.mark.parametrize(
    "payload",
    [
        pickle.dumps(_Evil()),
        _global_call("torch.distributed.checkpoint.filesystem", "os.getcwd"),  # dotted path
        _global_call("torch.distributed.checkpoint.filesystem", "_generate_uuid"),  # a function
    ],
)
def test_dcp_metadata_with_foreign_globals_is_refused(tmp_path: Path, payload: bytes) -> None:
    module, opt = _trained()
    from torch.distributed.checkpoint.state_dict import get_state_dict

    model_sd, optim_sd = get_state_dict(module, opt)
    save_sharded({"format": 1, "model": model_sd, "optimizer": optim_sd}, tmp_path / "c.dcp")
    load_sharded(tmp_path / "c.dcp", Regress(), None)  # the genuine metadata passes
    (tmp_path / "c.dcp" / ".metadata").write_bytes(payload)
    with pytest.raises(CheckpointError, match="not allowed"):
        load_sharded(tmp_path / "c.dcp", Regress(), None)
