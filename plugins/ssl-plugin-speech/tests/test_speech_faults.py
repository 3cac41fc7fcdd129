"""kill -9 at the CLI: ``ssl-speech pretrain`` killed mid-epoch or while writing a checkpoint, then
``--resume``, ends bit-identical to an uninterrupted run (every model / optimizer / RNG tensor and the
metrics rows). Two kill points run in every CI run; the ``slow``-marked test holds more and runs in
CI too (nothing deselects it; ``-m slow`` runs it alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import ssl_plugin_speech.plugin as plugin
from speech_helpers import TINY_VC_ARGS

from ssl_core.testing.faults import check_read_only_for_real
from ssl_core.testing.kill_resume import KillPoint, check_kill_resume

SETS = ["train.batch_size=4", "train.progress=false", "train.ckpt_every=2", "train.log_every=1",
        "train.steps=6", "train.device=cpu", *(f"recipe_args.{k}={v}" for k, v in TINY_VC_ARGS.items())]  # fmt: skip


def _check(corpus: Path, tmp_path: Path, kills: list[KillPoint], ssl_pm, cli_runner) -> None:
    def resume(run: Path) -> tuple[int, str]:
        with ssl_pm.registered(plugin):
            result = cli_runner.ssl("speech", "pretrain", "--resume", str(run))
        assert "finished step 6" in result.output, result.output
        return result.exit_code, result.output

    argv = ["--data", str(corpus), *(a for s in SETS for a in ("--set", s))]
    check_kill_resume("speech", argv, kills, tmp_path, resume)


@pytest.mark.timeout(240)
def test_kill_mid_epoch_and_mid_checkpoint_then_resume_is_bit_identical(
    corpus_dir: Path, tmp_path: Path, ssl_pm, cli_runner
) -> None:
    _check(corpus_dir, tmp_path, [KillPoint("step", 3), KillPoint("last-file", 4)], ssl_pm, cli_runner)


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_more_kill_points_then_resume_is_bit_identical(
    corpus_dir: Path, tmp_path: Path, ssl_pm, cli_runner
) -> None:
    kills = [
        KillPoint("checkpoint", 2),
        KillPoint("step-file", 4),
        KillPoint("index", 2),
        KillPoint("step", 5),
    ]
    _check(corpus_dir, tmp_path, kills, ssl_pm, cli_runner)


@pytest.mark.timeout(240)
def test_a_really_read_only_run_dir_is_one_clean_line(corpus_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "ro").mkdir()
    sets = [a for s in SETS for a in ("--set", s)]
    check_read_only_for_real(["speech", "pretrain", "--data", str(corpus_dir), *sets, "--run-dir", str(tmp_path / "ro")],
                             tmp_path / "ro")  # fmt: skip
