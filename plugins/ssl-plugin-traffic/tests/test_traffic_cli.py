"""End to end through the CLI on a tiny simulator run: pretrain, evaluate, forecast, embed, bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

TINY = [
    "--steps",
    "2",
    "--set",
    "train.batch_size=8",
    "--set",
    "train.progress=false",
    "--set",
    "recipe_args.sim_nodes=6",
    "--set",
    "recipe_args.sim_days=15",
    "--set",
    "recipe_args.rnn_units=8",
    "--set",
    "recipe_args.prototype_num=4",
    "--set",
    "recipe_args.prototype_dim=4",
]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner
    from ssl_plugin_traffic.cli import group

    path = tmp_path_factory.mktemp("traffic") / "run"
    result = CliRunner().invoke(group, ["pretrain", "--run-dir", str(path), *TINY], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (path / "checkpoints" / "last.pt").is_file() and (path / "ablation" / "config.yaml").is_file()
    assert f"run directory: {path}" in result.output
    return path


def write_input(path: Path, nodes: int, steps: int = 12) -> Path:
    stamps = np.datetime64("2024-02-01T06:00", "m") + np.arange(steps) * np.timedelta64(15, "m")
    rows = ["timestamp," + ",".join(f"s{i}" for i in range(nodes))]
    rows += [f"{t}," + ",".join("55.0" for _ in range(nodes)) for t in stamps]
    path.write_text("\n".join(rows) + "\n")
    return path


@pytest.mark.timeout(180)
def test_evaluate_prints_tables(cli_runner, run_dir: Path) -> None:
    result = cli_runner.ssl("traffic", "evaluate", str(run_dir))
    assert result.exit_code == 0, result.output
    for text in ("per horizon step", "avg", "tercile", "no-SSL", "history average", "last value", "mae@high"):
        assert text in result.output


@pytest.mark.timeout(180)
def test_forecast_and_embed(cli_runner, run_dir: Path, tmp_path: Path) -> None:
    source = write_input(tmp_path / "recent.csv", nodes=6)
    out = tmp_path / "forecast.csv"
    result = cli_runner.ssl("traffic", "forecast", str(run_dir), "--input", str(source), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert len(lines) == 13 and lines[1].startswith("2024-02-01T09:00")
    npz = tmp_path / "forecast.npz"
    assert (
        cli_runner.ssl("traffic", "forecast", str(run_dir), "--input", str(source), "-o", str(npz)).exit_code
        == 0
    )
    with np.load(npz) as archive:
        assert archive["forecast"].shape == (12, 6) and np.isfinite(archive["forecast"]).all()
    long = write_input(tmp_path / "long.csv", nodes=6, steps=20)
    emb = tmp_path / "emb.npy"
    result = cli_runner.ssl("traffic", "embed", str(run_dir), str(long), "-o", str(emb))
    assert result.exit_code == 0, result.output
    assert np.load(emb).shape == (9, 8)


@pytest.mark.timeout(180)
def test_forecast_bad_inputs_write_nothing(cli_runner, run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "never.csv"
    cases = {
        "sensors": write_input(tmp_path / "wrong_nodes.csv", nodes=5),
        "fewer than one window": write_input(tmp_path / "short.csv", nodes=6, steps=5),
    }
    for message, path in cases.items():
        result = cli_runner.ssl("traffic", "forecast", str(run_dir), "--input", str(path), "-o", str(out))
        assert result.exit_code != 0 and message in result.output, result.output
    good = write_input(tmp_path / "good.csv", nodes=6)
    result = cli_runner.ssl(
        "traffic", "forecast", str(run_dir), "--input", str(good), "-o", str(tmp_path / "x.txt")
    )
    assert result.exit_code != 0 and "unknown output format" in result.output
    assert not out.exists() and not list(tmp_path.glob(".*"))


def test_pretrain_needs_graph_when_ambiguous(cli_runner, tmp_path: Path) -> None:
    data = write_input(tmp_path / "speed.csv", nodes=3, steps=40)
    result = cli_runner.ssl("traffic", "pretrain", "--data", str(data), "--run-dir", str(tmp_path / "r"))
    assert result.exit_code != 0 and "--graph" in result.output
    assert not (tmp_path / "r").exists()
