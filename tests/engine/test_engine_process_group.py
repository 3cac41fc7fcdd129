"""``train`` destroys the process group it created (torchrun), and leaves a caller's group alone.

Left to interpreter teardown, gloo's threads can abort a rank after its work is done (seen as an
intermittent exit code -6 of ``ssl train --nproc-per-node 2``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch.distributed as tdist
from _engine_toy import config, recipe

from ssl_core import distributed as D
from ssl_core.engine import train


def _one_rank_group(tmp_path: Path) -> None:
    tdist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)


@pytest.fixture
def no_group():
    yield
    if tdist.is_initialized():
        tdist.destroy_process_group()


def test_train_destroys_the_group_it_created(tmp_path: Path, monkeypatch, no_group) -> None:
    created = []

    def init_from_env() -> bool:  # what torchrun's environment would make, on one rank
        _one_rank_group(tmp_path)
        created.append(True)
        return True

    monkeypatch.setattr(D, "init_from_env", init_from_env)
    result = train(config(steps=2), tmp_path / "run", recipe=recipe())
    assert created and result.step == 2 and not D.is_initialized()


def test_train_destroys_the_group_it_created_when_it_fails(tmp_path: Path, monkeypatch, no_group) -> None:
    created = []
    monkeypatch.setattr(D, "init_from_env", lambda: created.append(_one_rank_group(tmp_path)) or True)
    not_a_dir = tmp_path / "run"
    not_a_dir.write_text("a file where the run directory should go")
    with pytest.raises(Exception):  # noqa: B017 - any error inside train
        train(config(steps=2), not_a_dir, recipe=recipe())
    assert created and not D.is_initialized()


def test_train_leaves_the_callers_group(tmp_path: Path, no_group) -> None:
    _one_rank_group(tmp_path)
    train(config(steps=2), tmp_path / "run", recipe=recipe())
    assert D.is_initialized()
