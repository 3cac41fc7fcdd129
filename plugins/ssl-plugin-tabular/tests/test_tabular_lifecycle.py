"""Runs outliving their data (a copy of real Adult, deleted after pretraining) and ``pretrain --resume``
continuing a run killed (-9) mid-epoch or while writing a checkpoint to the bit-identical end of an
uninterrupted run (CPU; two kill points in every CI run, more in the ``slow``-marked test, which CI
runs too: nothing deselects it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import ssl_plugin_tabular.plugin as plugin
import torch
from conftest import make_csv, ssl_tabular, write_new_rows

from ssl_core.testing.data import shared_data_dir
from ssl_core.testing.faults import check_read_only_for_real
from ssl_core.testing.kill_resume import KillPoint, check_kill_resume
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


def _kill_points(tmp_path: Path, kills: list[KillPoint]) -> None:
    data = tmp_path / "table.csv"
    data.write_text(make_csv(200))
    argv = ["--data", str(data), "--target", "label", "--steps", "6", *SETS, "--set", "train.batch_size=16",
            "--set", "train.ckpt_every=2", "--set", "train.monitor_every=2", "--set", "train.log_every=1"]  # fmt: skip

    def resume(run: Path) -> tuple[int, str]:
        result = ssl_tabular("pretrain", "--resume", str(run))
        assert "finished step 6" in result.output, result.output
        return result.exit_code, result.output

    check_kill_resume("tabular", argv, kills, tmp_path, resume)


@pytest.mark.timeout(240)
def test_kill_mid_epoch_and_mid_checkpoint_then_resume_is_bit_identical(tmp_path, registered):
    _kill_points(tmp_path, [KillPoint("step", 3), KillPoint("last-file", 4)])
    # a finished run continues further when asked for more steps (the schedule's length is not hashed)
    result = ssl_tabular("pretrain", "--resume", str(tmp_path / "killed-0"), "--steps", "8")
    assert result.exit_code == 0, result.output
    state = torch.load(
        tmp_path / "killed-0" / "checkpoints" / "last.pt", map_location="cpu", weights_only=True
    )
    assert state["step"] == 8 and "finished step 8" in result.output


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_more_kill_points_then_resume_is_bit_identical(tmp_path, registered):
    _kill_points(tmp_path, [KillPoint("checkpoint", 2), KillPoint("step-file", 4), KillPoint("index", 6),
                            KillPoint("step", 5)])  # fmt: skip


@pytest.mark.timeout(240)
def test_a_really_read_only_run_dir_is_one_clean_line(tmp_path):
    data = tmp_path / "table.csv"
    data.write_text(make_csv(200))
    (tmp_path / "ro").mkdir()
    argv = ["tabular", "pretrain", "--data", str(data), "--target", "label", "--steps", "2", *SETS,
            "--set", "train.batch_size=16", "--run-dir", str(tmp_path / "ro")]  # fmt: skip
    check_read_only_for_real(argv, tmp_path / "ro")
