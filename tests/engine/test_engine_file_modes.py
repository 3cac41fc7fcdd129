"""Everything a training run writes follows the umask: 0644 files and 0755 folders under umask 022."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from _engine_toy import config, recipe

from ssl_core.engine import train


def test_run_directory_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        train(config(steps=2, keep_checkpoints=1), tmp_path / "run", recipe=recipe(label_key="y"))
    finally:
        os.umask(old)
    run = tmp_path / "run"
    names = {p.relative_to(run).as_posix() for p in run.rglob("*")}
    assert {"config.yaml", "environment.json", "metrics.jsonl", "checkpoints/last.pt"} <= names
    modes = {p.relative_to(run).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in run.rglob("*")}
    wrong = {n: oct(m) for n, m in modes.items() if m != (0o755 if (run / n).is_dir() else 0o644)}
    assert wrong == {} and stat.S_IMODE(run.stat().st_mode) == 0o755
