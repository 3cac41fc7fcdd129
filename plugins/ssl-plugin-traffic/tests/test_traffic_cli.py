"""End to end through the CLI on a tiny simulator run: pretrain, resume, evaluate, forecast, embed, bad inputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from traffic_helpers import TINY_MODEL, sets, write_input

TINY = ["--steps", "2", "--device", "cpu"] + sets(
    "train.batch_size=8",
    "train.progress=false",
    "recipe_args.sim_nodes=6",
    "recipe_args.sim_days=15",
    *TINY_MODEL,
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ssl_core.testing.pytest_plugin import SSLCliRunner

    path = tmp_path_factory.mktemp("traffic") / "run"
    result = SSLCliRunner().ssl("traffic", "pretrain", "--run-dir", str(path), *TINY)
    assert result.exit_code == 0, result.output
    assert (path / "checkpoints" / "last.pt").is_file() and (path / "no-ssl" / "config.yaml").is_file()
    assert (path / "data.pt").is_file() and f"run directory: {path}" in result.output
    return path


@pytest.mark.timeout(180)
def test_evaluate_prints_the_comparison(cli_runner, run_dir: Path) -> None:
    result = cli_runner.ssl("traffic", "evaluate", str(run_dir))
    assert result.exit_code == 0, result.output
    for text in ("test avg", "test step 12", "mape %", "test deviation high", "input deviation="):
        assert text in result.output
    assert all(len(line) <= 100 for line in result.output.splitlines())  # fits a 100-column terminal
    for baseline in ("no-SSL ablation", "history average", "last value"):
        assert f"vs {baseline}:" in result.output
    rows = [line for line in result.output.splitlines() if line.split()[:1] and line.split()[0].isdigit()]
    assert len(rows) == 3 * (3 + 3 + 3)  # avg x 3 metrics, MAE at steps 3/6/12, 3 terciles; per baseline
    assert "block bootstrap (24 per block) over 283 windows" in result.output


@pytest.mark.timeout(180)
def test_ssl_eval_prints_the_same_table(cli_runner, run_dir: Path) -> None:
    ours = cli_runner.ssl("traffic", "evaluate", str(run_dir))
    core = cli_runner.ssl("eval", str(run_dir))
    assert ours.exit_code == 0 and core.exit_code == 0, core.output
    assert core.output == ours.output


@pytest.mark.timeout(180)
def test_resume_continues_the_run_and_its_baseline(cli_runner, tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert cli_runner.ssl("traffic", "pretrain", "--run-dir", str(run), *TINY).exit_code == 0
    result = cli_runner.ssl("traffic", "pretrain", "--resume", str(run), "--steps", "4")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("finished step 4") and "baseline run 'no-ssl'" in result.output
    import torch

    for ckpt in (run / "checkpoints" / "last.pt", run / "no-ssl" / "checkpoints" / "last.pt"):
        assert torch.load(ckpt, weights_only=True)["step"] == 4


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
        assert "Traceback" not in result.output
    good = write_input(tmp_path / "good.csv", nodes=6)
    result = cli_runner.ssl(
        "traffic", "forecast", str(run_dir), "--input", str(good), "-o", str(tmp_path / "x.txt")
    )
    assert result.exit_code != 0 and "unknown output format" in result.output
    assert not out.exists() and not list(tmp_path.glob(".*"))


def test_pretrain_needs_graph_when_ambiguous(cli_runner, tmp_path: Path) -> None:
    data = write_input(tmp_path / "speed.csv", nodes=3, steps=40)
    result = cli_runner.ssl("traffic", "pretrain", "--data", str(data), "--run-dir", str(tmp_path / "r"))
    assert result.exit_code != 0 and "--graph" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()  # nothing partial


def test_graph_without_data_is_a_one_line_error(cli_runner, tmp_path: Path) -> None:
    graph = tmp_path / "adj.csv"
    graph.write_text("1,0\n0,1\n")
    result = cli_runner.ssl("traffic", "pretrain", "--graph", str(graph), "--run-dir", str(tmp_path / "r"))
    assert result.exit_code != 0 and "graph needs data" in result.output and "Traceback" not in result.output


@pytest.mark.timeout(120)
def test_report_shows_the_forecast_against_the_truth(run_dir: Path) -> None:
    from ssl_core.testing import html_problems

    html = (run_dir / "report.html").read_text()  # written by pretrain, with the plugin's figures
    assert html_problems(html) == []
    figures = [f for f in html.split('<div class="fig">') if f.startswith("<h3>Forecast vs truth, sensor ")]
    assert len(figures) == 2
    for figure in figures:
        assert "<polyline" in figure and "forecast h=1<" in figure and "forecast h=12<" in figure
    assert "figure not drawn" not in html
