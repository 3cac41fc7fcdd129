"""The example of ``ssl --help`` (``ssl init core ... && ssl train ...``) on a fresh install: no data dir."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest


def _help_example(help_text: str) -> list[list[str]]:
    """The ``ssl init core ... && ssl train ...`` line of ``ssl --help`` as argv lists (without ``ssl``)."""
    line = next(ln for ln in help_text.splitlines() if "ssl init core" in ln)
    commands = [shlex.split(part.split("#")[0]) for part in line.split("&&")]
    assert [c[:2] for c in commands] == [["ssl", "init"], ["ssl", "train"]]
    return [c[1:] for c in commands]


@pytest.mark.timeout(180)
def test_help_example_runs_without_data_dir(cli_runner, ssl_pm, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    init, train = _help_example(cli_runner.ssl("--help").output)
    result = cli_runner.ssl(*init)
    assert result.exit_code == 0, result.output
    result = cli_runner.ssl(*train, "--set", "train.progress=false")
    assert result.exit_code == 0, result.output
    run_dir = Path(re.search(r"run directory: (\S+)", result.output).group(1))
    assert run_dir.parts[:2] == ("runs", "core") and (run_dir / "config.yaml").is_file()
    assert "finished step" in result.output

    result = cli_runner.ssl("eval", str(run_dir))
    assert result.exit_code == 0, result.output
    assert "label" in result.output and "random init" in result.output


def test_init_core_default_file_trains(cli_runner, ssl_pm, tmp_path, monkeypatch):
    monkeypatch.delenv("SSL_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli_runner.ssl("init", "core").exit_code == 0 and Path("core.yaml").is_file()
    result = cli_runner.ssl(
        "train", "core.yaml", "--run-dir", "r", "--device", "cpu", "--set", "train.steps=5",
        "--set", "train.progress=false",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "finished step 5" in result.output
