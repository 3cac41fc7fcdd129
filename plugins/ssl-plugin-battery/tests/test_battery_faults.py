"""kill -9 at the CLI: ``ssl battery pretrain`` killed mid-epoch or while writing a checkpoint, then
``--resume``, ends bit-identical to an uninterrupted run (every model / optimizer / RNG tensor and the
metrics rows). Two kill points run in every CI run; the ``slow``-marked test holds more and runs in
CI too (nothing deselects it; ``-m slow`` runs it alone)."""

from __future__ import annotations

from pathlib import Path

import pytest
import ssl_plugin_battery.plugin as plugin
from conftest import charge_log

from ssl_core.testing.kill_resume import CI_KILLS, KILL_SETS, MORE_KILLS, check_domain_kill_resume

SETS = [*KILL_SETS, "train.batch_size=8", "recipe_args.hidden=4", "recipe_args.proj_dim=8",
        "recipe_args.window=16", "recipe_args.grid_s=30", "recipe_args.windows_per_curve=2",
        "recipe_args.ft_steps=3", "recipe_args.eval_seeds=2", "recipe_args.label_fraction=0.5"]  # fmt: skip


def _argv(tmp_path: Path) -> list[str]:
    data = tmp_path / "log.csv"
    data.write_text(charge_log())
    return ["--data", str(data), *(a for s in SETS for a in ("--set", s))]


@pytest.mark.timeout(240)
def test_kill_mid_epoch_and_mid_checkpoint_then_resume_is_bit_identical(
    tmp_path: Path, ssl_pm, cli_runner
) -> None:
    check_domain_kill_resume("battery", plugin, _argv(tmp_path), CI_KILLS, tmp_path, ssl_pm, cli_runner)


@pytest.mark.slow
@pytest.mark.timeout(480)
def test_more_kill_points_then_resume_is_bit_identical(tmp_path: Path, ssl_pm, cli_runner) -> None:
    check_domain_kill_resume("battery", plugin, _argv(tmp_path), MORE_KILLS, tmp_path, ssl_pm, cli_runner)
