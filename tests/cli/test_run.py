"""``ssl init``, ``ssl train`` (incl. resume), ``ssl eval`` and ``ssl plot`` end to end on the template plugin."""

from __future__ import annotations

import json

import yaml

from ssl_core.config import load_run_config

TINY = ["--set", "train.batch_size=8", "--set", "recipe_args.n_samples=32", "--set", "train.progress=false"]


def test_init_writes_a_valid_config(cli_runner, template_plugin, tmp_path):
    out = tmp_path / "t.yaml"
    result = cli_runner.ssl("init", "template", "-o", str(out))
    assert result.exit_code == 0, result.output
    cfg = load_run_config(out)
    assert cfg.recipe == "template/default" and cfg.recipe_args["n_samples"] == 2048
    again = cli_runner.ssl("init", "template", "-o", str(out))
    assert again.exit_code == 1 and "exists; pass --force" in again.output
    assert cli_runner.ssl("init", "template", "-o", str(out), "--force").exit_code == 0


def test_init_core_and_unknown_domain(cli_runner, ssl_pm):
    result = cli_runner.ssl("init", "core", "-o", "-")
    assert result.exit_code == 0 and yaml.safe_load(result.output)["recipe"].startswith("core/")
    result = cli_runner.ssl("init", "nodomain")
    assert (
        result.exit_code == 2 and "no plugin provides a default config for domain 'nodomain'" in result.output
    )


def test_train_resume_eval_plot(cli_runner, template_plugin, tmp_path):
    config = tmp_path / "t.yaml"
    assert cli_runner.ssl("init", "template", "-o", str(config)).exit_code == 0
    run_dir = tmp_path / "run"
    result = cli_runner.ssl(
        "train", str(config), "--run-dir", str(run_dir), "--device", "cpu", "--set", "train.steps=2", *TINY
    )
    assert result.exit_code == 0, result.output
    assert "finished step 2" in result.output and f"run directory: {run_dir}" in result.output
    saved = load_run_config(run_dir / "config.yaml")
    assert saved.train.steps == 2 and saved.train.device == "cpu" and saved.recipe_args["n_samples"] == 32

    result = cli_runner.ssl("train", "--resume", str(run_dir), "--set", "train.steps=4")
    assert result.exit_code == 0, result.output
    assert "finished step 4" in result.output
    steps = [
        json.loads(line)["step"]
        for line in (run_dir / "metrics.jsonl").read_text().splitlines()
        if line.strip()
    ]
    assert max(steps) == 4

    result = cli_runner.ssl("eval", str(run_dir))
    assert result.exit_code == 0, result.output
    assert "cluster id" in result.output and "vs random init:" in result.output and "verdict" in result.output

    result = cli_runner.ssl("plot", str(run_dir))
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output


def test_train_bad_config_names_file_and_key(cli_runner, template_plugin, tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("recipe: template/default\nrecipe_args: {n_samples: many}\n")
    result = cli_runner.ssl("train", str(config), "--run-dir", str(tmp_path / "r"))
    assert result.exit_code == 2
    assert f"Error: {config}: recipe_args.n_samples: expected int, got str 'many'" in result.output
    assert not (tmp_path / "r").exists()


def test_train_usage_errors(cli_runner, ssl_pm, tmp_path):
    assert cli_runner.ssl("train").exit_code == 2
    config = tmp_path / "c.yaml"
    config.write_text("recipe: x/y\n")
    result = cli_runner.ssl("train", str(config), "--set", "train.nope=1")
    assert result.exit_code == 2 and "train.nope: unknown key" in result.output


def test_eval_rejects_non_run_dir(cli_runner, ssl_pm, tmp_path):
    result = cli_runner.ssl("eval", str(tmp_path))
    assert result.exit_code == 2 and "not a run directory" in result.output
