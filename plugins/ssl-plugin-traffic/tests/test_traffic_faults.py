"""kill -9 at the CLI: ``ssl-traffic pretrain`` (the main run and its ``no-ssl`` baseline) killed
mid-epoch or while writing a checkpoint, then ``--resume``, ends bit-identical to an uninterrupted run
(every model / optimizer / RNG tensor of both runs and their metrics rows). Two kill points run in
every CI run; the ``slow``-marked test holds more and runs in CI too (nothing deselects it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from traffic_helpers import TINY_MODEL, sets

from ssl_core.testing.faults import check_read_only_for_real
from ssl_core.testing.kill_resume import KillPoint, check_kill_resume

ARGV = ["--steps", "6", "--device", "cpu"] + sets(
    "train.batch_size=8", "train.progress=false", "train.ckpt_every=2", "train.log_every=1",
    "recipe_args.sim_nodes=6", "recipe_args.sim_days=15", *TINY_MODEL,
)  # fmt: skip


def _check(tmp_path: Path, kills: list[KillPoint], cli_runner) -> None:
    def resume(run: Path) -> tuple[int, str]:
        result = cli_runner.ssl("traffic", "pretrain", "--resume", str(run))
        assert "baseline run 'no-ssl'" in result.output, result.output
        return result.exit_code, result.output

    check_kill_resume("traffic", ARGV, kills, tmp_path, resume)


@pytest.mark.timeout(240)
def test_kill_mid_epoch_and_mid_checkpoint_then_resume_is_bit_identical(tmp_path: Path, cli_runner) -> None:
    _check(tmp_path, [KillPoint("step", 3), KillPoint("last-file", 4, occurrence=2)], cli_runner)


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_more_kill_points_then_resume_is_bit_identical(tmp_path: Path, cli_runner) -> None:
    kills = [KillPoint("checkpoint", 2), KillPoint("step-file", 4), KillPoint("index", 6),
             KillPoint("step", 5, occurrence=2)]  # fmt: skip
    _check(tmp_path, kills, cli_runner)


@pytest.mark.timeout(240)
def test_a_really_read_only_run_dir_is_one_clean_line(tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    check_read_only_for_real(
        ["traffic", "pretrain", *ARGV, "--run-dir", str(tmp_path / "ro")], tmp_path / "ro"
    )
