"""Distributed training on 2 spawned gloo ranks equals one process on the global batch."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
import torch
from _engine_toy import NoisyContrastive, Regress, config, recipe

from ssl_core.engine import train
from ssl_core.testing.world import run_world

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

COUPLED = functools.partial(NoisyContrastive, noise=0.0)
FACTORIES: dict[str, Any] = {"regress": Regress, "coupled": COUPLED}


def _full_state(module: torch.nn.Module, strategy: str) -> dict[str, torch.Tensor]:
    if strategy == "fsdp2":
        from torch.distributed.checkpoint.state_dict import StateDictOptions, get_model_state_dict

        return get_model_state_dict(module, options=StateDictOptions(full_state_dict=True, cpu_offload=True))
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _rank_train(rank: int, world: int, root: str, name: str, strategy: str, accum: int) -> dict[str, Any]:
    torch.set_num_threads(1)
    factory = FACTORIES[name]
    cfg = config(steps=4, batch_size=16, ckpt_every=100, strategy=strategy, grad_accum=accum)
    full = train(cfg, Path(root) / "full", recipe=recipe(factory))
    train(cfg, Path(root) / "part", recipe=recipe(factory), stop_at=2)
    resumed = train(cfg, Path(root) / "part", recipe=recipe(factory), resume=True)
    return {"full": _full_state(full.module, strategy), "resumed": _full_state(resumed.module, strategy)}


def _single(tmp_path: Path, name: str) -> dict[str, torch.Tensor]:
    res = train(
        config(steps=4, batch_size=16, ckpt_every=100), tmp_path / "single", recipe=recipe(FACTORIES[name])
    )
    return res.module.state_dict()


@pytest.mark.parametrize(("name", "strategy", "accum"), [("regress", "auto", 1), ("coupled", "ddp", 2)])
def test_ddp_steps_match_single_process_on_the_global_batch(
    tmp_path: Path, name: str, strategy: str, accum: int
) -> None:
    results = run_world(_rank_train, 2, args=(str(tmp_path), name, strategy, accum), timeout=150)
    want = _single(tmp_path, name)
    for res in results:
        for key, value in want.items():
            assert torch.allclose(res["full"][key], value, rtol=1e-5, atol=1e-6), key
            assert torch.equal(res["resumed"][key], res["full"][key]), key
    assert (tmp_path / "full" / "checkpoints" / "last.pt").is_file()
    assert (tmp_path / "full" / "metrics.jsonl").read_text().count("\n") == 4  # rank 0 only


def test_fsdp2_trains_checkpoints_and_resumes(tmp_path: Path) -> None:
    results = run_world(_rank_train, 2, args=(str(tmp_path), "regress", "fsdp2", 1), timeout=150)
    want = _single(tmp_path, "regress")
    got = results[0]
    for key, value in want.items():
        assert torch.allclose(got["full"][key], value, rtol=1e-5, atol=1e-6), key
        assert torch.equal(got["resumed"][key], got["full"][key]), key
