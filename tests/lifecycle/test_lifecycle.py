"""The core lifecycle on a toy domain: pretrain with baselines, data state, evaluate, embed, resume, owner."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import yaml

from ssl_core.engine import load_run
from ssl_core.engine.data_state import DATA_STATE, load_data_state
from ssl_core.errors import CheckpointError, ConfigError
from ssl_core.lifecycle import PretrainOptions, evaluate_run, pretrain, run_demo


def _write_npz(path, n=64):
    rng = np.random.default_rng(0)
    np.savez(path, x=rng.normal(size=(n, 6)).astype(np.float32), y=rng.integers(0, 3, n))
    return path


def test_pretrain_trains_the_baselines_and_keeps_the_data_state(toy_pm, tmp_path):
    result = pretrain("toy", PretrainOptions(run_dir=tmp_path / "run"), echo=lambda _: None)
    assert result.steps == {"main": 4, "no-ssl": 4}
    assert (tmp_path / "run" / "no-ssl" / "checkpoints" / "last.pt").is_file()
    state = load_data_state(tmp_path / "run")
    assert set(state) == {"mean", "eval_x", "eval_y"} and state["eval_x"].shape == (48, 6)
    baseline = yaml.safe_load((tmp_path / "run" / "no-ssl" / "config.yaml").read_text())
    assert baseline["recipe_args"]["ssl"] is False


def test_evaluate_runs_from_the_run_directory_alone(toy_pm, tmp_path, monkeypatch):
    data = _write_npz(tmp_path / "data #1: a b.npz")
    monkeypatch.chdir(tmp_path)
    opts = PretrainOptions(data=data.relative_to(tmp_path), run_dir=tmp_path / "run", args={"width": 4})
    pretrain("toy", opts, echo=lambda _: None)
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["recipe_args"]
    assert saved["data"] == str(data) and saved["width"] == 4
    data.unlink()  # evaluation must not read the training file
    rows = evaluate_run(tmp_path / "run", domain="toy", quick=True)
    assert {r.extra["baseline"] for r in rows} == {"no-ssl", "random init"}
    assert all(np.isfinite(r.ssl[0]) and np.isfinite(r.baseline[0]) for r in rows)
    loaded = load_run(tmp_path / "run")
    assert loaded.recipe.train_data is None and torch.equal(
        loaded.recipe.data.eval_y, loaded.recipe.data.eval_y
    )


def test_a_corrupt_data_state_is_a_clean_error(toy_pm, tmp_path):
    pretrain("toy", PretrainOptions(run_dir=tmp_path / "run"), echo=lambda _: None)
    (tmp_path / "run" / DATA_STATE).write_bytes(b"not a torch file")
    with pytest.raises(CheckpointError, match="data state"):
        evaluate_run(tmp_path / "run", domain="toy")


def test_another_plugins_run_is_refused_with_both_names(toy_pm, tmp_path):
    pretrain("toy", PretrainOptions(run_dir=tmp_path / "run"), echo=lambda _: None)
    with pytest.raises(ConfigError, match="run of the 'toy' plugin, not 'speech'"):
        evaluate_run(tmp_path / "run", domain="speech")


def test_resume_continues_main_and_baseline_runs(toy_pm, tmp_path):
    run_dir = tmp_path / "run"
    pretrain("toy", PretrainOptions(run_dir=run_dir, sets=("train.steps=2",)), echo=lambda _: None)
    result = pretrain("toy", PretrainOptions(resume=run_dir, sets=("train.steps=4",)), echo=lambda _: None)
    assert result.steps == {"main": 4, "no-ssl": 4}
    with pytest.raises(ConfigError, match="drop --data"):
        pretrain("toy", PretrainOptions(resume=run_dir, args={"width": 3}), echo=lambda _: None)


def test_resume_is_bit_identical_to_an_uninterrupted_run(toy_pm, tmp_path):
    straight, split = tmp_path / "a", tmp_path / "b"
    pretrain("toy", PretrainOptions(run_dir=straight), echo=lambda _: None)
    from ssl_core.engine import train
    from ssl_core.lifecycle import pretrain_config

    train(pretrain_config("toy", PretrainOptions()), split, stop_at=2)  # killed after step 2's checkpoint
    pretrain("toy", PretrainOptions(resume=split), echo=lambda _: None)
    a = torch.load(straight / "checkpoints" / "last.pt", weights_only=True)
    b = torch.load(split / "checkpoints" / "last.pt", weights_only=True)
    assert a["step"] == b["step"] == 4
    for key, tensor in a["model"].items():
        assert torch.equal(tensor, b["model"][key]), key


def test_quick_demo_and_cli_tables_agree(toy_pm, tmp_path, cli_runner):
    result = run_demo("toy", tmp_path / "demo", quick=True)
    assert result.rows and result.domain == "toy"
    one = cli_runner.ssl("eval", str(tmp_path / "demo"), "--quick")
    two = cli_runner.ssl("toy", "evaluate", str(tmp_path / "demo"), "--quick")
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    assert one.output == two.output and "no-ssl" in one.output


def test_domain_cli_pretrain_and_embed(toy_pm, tmp_path, cli_runner):
    run_dir = tmp_path / "run"
    out = cli_runner.ssl("toy", "pretrain", "--run-dir", str(run_dir), "--width", "5", "--steps", "2")
    assert out.exit_code == 0, out.output
    assert f"run directory: {run_dir}" in out.output
    again = cli_runner.ssl("toy", "pretrain", "--run-dir", str(run_dir))
    assert again.exit_code == 1 and f"--resume {run_dir}" in again.output and "Traceback" not in again.output
    np.save(tmp_path / "in.npy", np.ones((3, 6), dtype=np.float32))
    emb = cli_runner.ssl(
        "toy", "embed", str(run_dir), str(tmp_path / "in.npy"), "-o", str(tmp_path / "e.npy")
    )
    assert emb.exit_code == 0, emb.output
    assert np.load(tmp_path / "e.npy").shape == (3, 5)
    help_text = cli_runner.ssl("toy", "pretrain", "--help").output
    assert "--width" in help_text and "Hidden width of the toy encoder." in help_text


def test_cli_resume_with_plugin_options_declared(toy_pm, tmp_path, cli_runner):
    run_dir = tmp_path / "run"
    assert cli_runner.ssl("toy", "pretrain", "--run-dir", str(run_dir), "--steps", "2").exit_code == 0
    out = cli_runner.ssl("toy", "pretrain", "--resume", str(run_dir), "--steps", "4")
    assert out.exit_code == 0, out.output
    assert "finished step 4" in out.output
    refused = cli_runner.ssl("toy", "pretrain", "--resume", str(run_dir), "--width", "3")
    assert refused.exit_code == 2 and "drop --data and plugin options" in refused.output


def test_args_dataclass_value_errors_are_one_line_config_errors(toy_pm, tmp_path, cli_runner):
    out = cli_runner.ssl("toy", "pretrain", "--run-dir", str(tmp_path / "r"), "--set", "recipe_args.n=-3")
    assert out.exit_code == 2, out.output
    assert (
        "recipe_args" in out.output and "n must be positive" in out.output and "Traceback" not in out.output
    )
    assert not (tmp_path / "r").exists()
