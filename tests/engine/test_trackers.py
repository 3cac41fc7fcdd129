"""Experiment trackers (train.loggers): config checks, and TensorBoard / MLflow round trips.

Each round trip trains the core synthetic recipe a few steps, reads the tracker's store back with the
tracker's own reader (TensorBoard's EventAccumulator, MLflow's MlflowClient on the local file store)
and compares it with metrics.jsonl, then evaluates the run and checks the comparison rows arrive too.
Everything runs offline: the MLflow store is a folder of the run directory.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from ssl_core.config import config_hash, config_to_dict, load_run_config
from ssl_core.engine import train
from ssl_core.engine.trackers import check_trackers, enabled_trackers, flat_params
from ssl_core.errors import ConfigError
from ssl_core.testing import tiny_run_config

STEPS = 6


def _config(*loggers: str, **train_overrides):
    return tiny_run_config("core/synthetic", {"n_train": 256, "dim": 8}, steps=STEPS, batch_size=32,
                           monitor_every=2, loggers=["jsonl", *loggers], **train_overrides)  # fmt: skip


def _jsonl(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def _numeric(rows: list[dict]) -> dict[str, dict[int, float]]:
    """``{key: {step: value}}`` of the finite numbers of metrics.jsonl (what the trackers receive)."""
    out: dict[str, dict[int, float]] = {}
    for row in rows:
        for key, value in row.items():
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            if key != "step" and numeric and math.isfinite(value):
                out.setdefault(key, {})[row["step"]] = float(value)
    return out


@pytest.mark.parametrize(
    ("train_keys", "message"),
    [
        (
            {"loggers": ["jsonl", "wandb"]},
            r"train\.loggers\[1\]: unknown logger 'wandb'; expected one of jsonl",
        ),
        ({"loggers": ["mlflow", "mlflow"]}, r"train\.loggers\[1\]: 'mlflow' is listed twice"),
        (
            {"mlflow_uri": "file:/tmp/x"},
            r"train\.mlflow_uri: is set but train\.loggers does not list 'mlflow'",
        ),
        ({"loggers": ["mlflow"], "mlflow_experiment": " "}, r"train\.mlflow_experiment: must be a non-empty"),
    ],
)
def test_bad_logger_settings_are_one_line_config_errors(train_keys, message):
    with pytest.raises(ConfigError, match=message):
        load_run_config({"recipe": "core/synthetic", "train": train_keys})


def test_tracker_settings_do_not_change_the_config_hash():
    plain, tracked = _config(), _config("mlflow", "tensorboard", mlflow_experiment="other")
    assert config_hash(plain) == config_hash(tracked)
    assert enabled_trackers(tracked.train) == ["mlflow", "tensorboard"]
    assert enabled_trackers(_config(tensorboard=True).train) == ["tensorboard"]  # the older spelling


def test_a_missing_tracker_package_names_the_extra(monkeypatch, tmp_path, cli_runner):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "mlflow" else real(name, *a)
    )
    with pytest.raises(
        ConfigError, match=r"'mlflow' needs the optional extra: pip install 'ssl-core\[trackers\]'"
    ):
        check_trackers(_config("mlflow").train)
    cfg = tmp_path / "run.yaml"
    cfg.write_text(
        "recipe: core/synthetic\ntrain: {steps: 2, batch_size: 8, device: cpu, loggers: [jsonl, mlflow]}\n"
    )
    out = cli_runner.ssl("train", str(cfg), "--run-dir", str(tmp_path / "run"))
    assert out.exit_code == 2, out.output
    assert "ssl-core[trackers]" in out.output and "Traceback" not in out.output
    assert not (tmp_path / "run").exists()  # nothing partial


def test_flat_params_are_dotted_and_cut():
    params = flat_params({"a": {"b": 1, "c": {"d": "x"}}, "e": [1, 2], "f": {}, "g": "y" * 600})
    assert params["a.b"] == "1" and params["a.c.d"] == "x" and params["e"] == "[1, 2]" and params["f"] == "{}"
    assert len(params["g"]) == 500 and params["g"].endswith("…")


def test_tensorboard_round_trip(tmp_path):
    pytest.importorskip("tensorboard", reason="the trackers extra is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from ssl_core.lifecycle import evaluate_run

    run_dir = tmp_path / "run"
    train(_config("tensorboard"), run_dir)
    evaluate_run(run_dir)
    acc = EventAccumulator(str(run_dir / "tb"), size_guidance={"scalars": 0, "tensors": 0})
    acc.Reload()
    expected = _numeric(_jsonl(run_dir))
    assert expected["loss"] and "monitor/rankme" in expected and "lr" in expected
    for key, by_step in expected.items():
        got = {e.step: e.value for e in acc.Scalars(key)}
        assert got.keys() == by_step.keys(), key
        for step, value in by_step.items():
            assert got[step] == pytest.approx(value, rel=1e-6, abs=1e-6), (key, step)
    evals = [k for k in acc.Tags()["scalars"] if k.startswith("eval/random init/label/acc/")]
    assert {k.rsplit("/", 1)[1] for k in evals} >= {
        "ssl",
        "baseline",
        "diff",
        "diff_low",
        "diff_high",
        "better",
    }
    rows = json.loads((run_dir / "evaluation.json").read_text())["rows"]
    assert acc.Scalars("eval/random init/label/acc/ssl")[0].value == pytest.approx(
        rows[0]["ssl"][0], rel=1e-6
    )
    texts = set(acc.Tags()["tensors"])  # add_text summaries are stored as tensors
    assert {"config/text_summary", "evaluation/text_summary"} <= texts


def test_tensorboard_resume_drops_the_steps_after_the_checkpoint(tmp_path):
    pytest.importorskip("tensorboard", reason="the trackers extra is not installed")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run_dir = tmp_path / "run"
    cfg = _config("tensorboard", ckpt_every=2)
    train(cfg, run_dir, stop_at=4)
    # an interrupted run had logged step 5 before dying after the step-4 checkpoint: fake it
    from ssl_core.engine.trackers.tb_tracker import TensorBoardTracker

    ghost = TensorBoardTracker(run_dir, fresh=False)
    ghost.log_metrics({"loss": 1e6}, 5)
    ghost.close()
    train(cfg, run_dir, resume=True)
    acc = EventAccumulator(str(run_dir / "tb"), size_guidance={"scalars": 0})
    acc.Reload()
    losses = {e.step: e.value for e in acc.Scalars("loss")}
    assert losses == pytest.approx({s: v for s, v in _numeric(_jsonl(run_dir))["loss"].items()}, rel=1e-6)
    assert sorted(losses) == list(range(1, STEPS + 1))


def test_mlflow_round_trip_on_a_local_file_store(tmp_path):
    pytest.importorskip("mlflow", reason="the trackers extra is not installed")
    from mlflow.tracking import MlflowClient

    from ssl_core.engine.trackers.mlflow_tracker import metric_key, read_mlflow_run
    from ssl_core.lifecycle import evaluate_run
    from ssl_core.report import write_report

    run_dir = tmp_path / "run"
    cfg = _config("mlflow", mlflow_experiment="round-trip")
    result = train(cfg, run_dir)
    evaluate_run(run_dir)
    write_report(run_dir, figures=False)
    record = read_mlflow_run(run_dir)
    assert record is not None and record["tracking_uri"] == (run_dir / "mlruns").resolve().as_uri()
    client = MlflowClient(tracking_uri=record["tracking_uri"])
    run = client.get_run(record["run_id"])
    assert client.get_experiment(run.info.experiment_id).name == "round-trip"
    assert run.info.status == "FINISHED" and run.info.run_name == "run"
    assert run.data.params == flat_params(
        config_to_dict(result_config := load_run_config(run_dir / "config.yaml"))
    )
    assert result_config.train.loggers == ["jsonl", "mlflow"]
    for key, by_step in _numeric(_jsonl(run_dir)).items():
        history = client.get_metric_history(run.info.run_id, metric_key(key))
        assert {m.step: m.value for m in history} == pytest.approx(by_step, rel=1e-12), key
    rows = json.loads((run_dir / "evaluation.json").read_text())["rows"]
    final = client.get_run(run.info.run_id).data.metrics
    assert final["eval.random init.label.acc.ssl"] == pytest.approx(rows[0]["ssl"][0])
    assert final["eval.random init.label.acc.better"] in (-1.0, 0.0, 1.0)
    listed = {
        a.path
        for folder in ("run", "model", "evaluation", "report")
        for a in client.list_artifacts(run.info.run_id, folder)
    }
    assert listed == {
        "run/config.yaml",
        "run/environment.json",
        "model/weights.pt",
        "evaluation/evaluation.json",
        "report/report.html",
    }
    local = Path(client.download_artifacts(run.info.run_id, "model/weights.pt", str(tmp_path)))
    weights = torch.load(local, weights_only=True)
    for name, tensor in result.module.state_dict().items():
        assert torch.equal(weights[name], tensor), name


def test_mlflow_resume_logs_into_the_same_run(tmp_path):
    pytest.importorskip("mlflow", reason="the trackers extra is not installed")
    from mlflow.tracking import MlflowClient

    from ssl_core.engine.trackers.mlflow_tracker import read_mlflow_run

    run_dir = tmp_path / "run"
    cfg = _config("mlflow", ckpt_every=2)
    train(cfg, run_dir, stop_at=2)
    first = read_mlflow_run(run_dir)
    train(cfg, run_dir, resume=True)
    assert read_mlflow_run(run_dir) == first
    client = MlflowClient(tracking_uri=first["tracking_uri"])
    steps = sorted(m.step for m in client.get_metric_history(first["run_id"], "loss"))
    assert steps == list(range(1, STEPS + 1))
    assert len(client.search_runs([client.get_experiment_by_name("ssl-core").experiment_id])) == 1


def _rank_train(rank: int, world: int, root: str) -> int:
    torch.set_num_threads(1)
    train(_config("tensorboard", "mlflow", strategy="ddp"), Path(root) / "run")
    return rank


@pytest.mark.timeout(180)
def test_only_rank_0_logs_to_the_trackers(tmp_path):
    pytest.importorskip("tensorboard", reason="the trackers extra is not installed")
    pytest.importorskip("mlflow", reason="the trackers extra is not installed")
    from mlflow.tracking import MlflowClient

    from ssl_core.testing.world import run_world

    assert sorted(run_world(_rank_train, 2, args=(str(tmp_path),), timeout=150)) == [0, 1]
    run_dir = tmp_path / "run"
    assert len(list((run_dir / "tb").glob("events.*"))) == 1
    client = MlflowClient(tracking_uri=(run_dir / "mlruns").resolve().as_uri())
    (run,) = client.search_runs([client.get_experiment_by_name("ssl-core").experiment_id])
    steps = [m.step for m in client.get_metric_history(run.info.run_id, "loss")]
    assert steps == list(range(1, STEPS + 1))  # one value per step: a single writer
