"""Runs outliving their data (a copy of real Adult, deleted after pretraining) and ``pretrain --resume``
continuing a run killed mid-way to the bit-identical end of an uninterrupted run (CPU)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import ssl_plugin_tabular.plugin as plugin
import torch
from conftest import make_csv, ssl_tabular, write_new_rows

from ssl_core.testing.data import shared_data_dir
from ssl_core.testing.pytest_plugin import isolated_plugin_manager

TINY = ["recipe_args.dim=8", "recipe_args.depth=1", "recipe_args.pred_depth=1", "recipe_args.ffn_dim=8",
        "recipe_args.pred_dim=4", "recipe_args.pred_heads=2", "train.progress=false", "train.device=cpu"]  # fmt: skip
SETS = [x for s in TINY for x in ("--set", s)]


@pytest.fixture
def registered():
    """The tabular plugin alone in an isolated plugin manager."""
    with isolated_plugin_manager() as pm, pm.registered(plugin, "tabular"):
        yield


@pytest.mark.data
@pytest.mark.timeout(240)
def test_real_adult_copy_deleted_then_evaluate_and_embed(tmp_path, registered):
    copy = tmp_path / "adult copy #1: x"
    copy.mkdir()
    for name in ("adult.data", "adult.test"):  # file by file: the shared folder is read-only
        shutil.copyfile(shared_data_dir("tabular") / "adult" / name, copy / name)
    run = tmp_path / "run"
    result = ssl_tabular("pretrain", "--data", str(copy), "--run-dir", str(run), "--steps", "2", *SETS,
                         "--set", "train.batch_size=64", "--set", "recipe_args.eval_max_train=512")  # fmt: skip
    assert result.exit_code == 0, result.output
    shutil.rmtree(copy)
    result = ssl_tabular("evaluate", str(run), "--quick")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 100 for line in lines)  # fits a 100-column terminal
    rows = [
        i for i, line in enumerate(lines) if line.split()[1:2] == ["adult"]
    ]  # "#  task  metric ↑  ssl  base"
    assert [lines[i - 1] for i in rows] == ["vs same MLP on raw features:", "vs HistGradientBoosting:"]
    accs = [float(lines[i].split()[j]) for i in rows for j in (4, 5)]
    assert all(0.5 < acc <= 1.0 for acc in accs), accs  # Adult's majority class alone is 0.76
    with pytest.warns(UserWarning, match="unseen in training"):  # native-country 'Mars'
        result = ssl_tabular("embed", str(run), str(write_new_rows(tmp_path)), "-o", str(tmp_path / "e.npy"))
    assert result.exit_code == 0, result.output
    emb = np.load(tmp_path / "e.npy")
    assert emb.shape == (2, (1 + 14) * 8) and np.isfinite(emb).all()


# A child process that SIGKILLs itself right after the engine wrote the checkpoint of step KILL_AT.
CHILD = """
import os, signal, sys
from ssl_core.engine import session

original = session.RunSession.checkpoint

def checkpoint(self):
    original(self)
    if self.counters.step == int(os.environ["KILL_AT"]):
        os.kill(os.getpid(), signal.SIGKILL)

session.RunSession.checkpoint = checkpoint
from ssl_plugin_tabular.cli import main
main(sys.argv[1:])
"""


def _pretrain_in_child(argv: list[str], kill_at: int) -> int:
    """``ssl-tabular pretrain ARGV`` in a fresh process killed after step ``kill_at``; its exit code."""
    env = {**os.environ, "KILL_AT": str(kill_at)}
    done = subprocess.run([sys.executable, "-c", CHILD, "pretrain", *argv], env=env, capture_output=True,
                          text=True, timeout=200)  # fmt: skip
    assert done.returncode in (0, -9), done.stdout + done.stderr
    return done.returncode


def _assert_identical(a: Any, b: Any, where: str) -> None:
    """Every tensor equal (``torch.equal``), every other value ``==``, through dicts and lists."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor) and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a, key=str) == sorted(b, key=str), where
        for key in a:
            _assert_identical(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_identical(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


def _last(run: Path) -> dict[str, Any]:
    return torch.load(run / "checkpoints" / "last.pt", map_location="cpu", weights_only=True)


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_resume_after_kill_is_bit_identical(tmp_path, registered):
    data = tmp_path / "table.csv"
    data.write_text(make_csv(200))
    common = ["--data", str(data), "--target", "label", "--steps", "6", *SETS,
              "--set", "train.batch_size=16", "--set", "train.ckpt_every=2", "--set", "train.monitor_every=2"]  # fmt: skip
    a, b = tmp_path / "a", tmp_path / "b"
    assert _pretrain_in_child([*common, "--run-dir", str(a)], kill_at=-1) == 0
    assert _pretrain_in_child([*common, "--run-dir", str(b)], kill_at=2) == -9  # SIGKILL, mid-way
    assert _last(b)["step"] == 2 and not (b / "checkpoints" / "step_4.pt").exists()
    result = ssl_tabular("pretrain", "--resume", str(b))
    assert result.exit_code == 0, result.output
    end_a, end_b = _last(a), _last(b)
    assert end_a["step"] == end_b["step"] == 6
    for key in ("model", "optimizer", "probe", "rng", "sampler", "config_hash"):
        _assert_identical(end_a[key], end_b[key], key)
    # a finished run continues further when asked for more steps (the schedule's length is not hashed)
    result = ssl_tabular("pretrain", "--resume", str(b), "--steps", "8")
    assert result.exit_code == 0, result.output
    assert _last(b)["step"] == 8 and "finished step 8" in result.output
