"""Recipe arguments and the run configs (the embedded default, the bench's): the official optimiser."""

from __future__ import annotations

from pathlib import Path

import pytest
from ssl_plugin_traffic.config import STSSDLArgs, default_config, official_optim, run_config

from ssl_core.config import load_run_config


def test_default_config_is_official_optimiser() -> None:
    cfg = load_run_config(default_config())
    assert cfg.optim.name == "adam" and cfg.optim.lr == 0.01 and cfg.optim.eps == 1e-3
    assert cfg.optim.schedule.name == "multistep" and cfg.train.clip_grad == 5.0
    assert cfg.train.batch_size == 64 and cfg.train.num_threads == 1
    assert cfg.train.epochs is None and cfg.train.steps == 174  # steps: the schedule holds for any --data
    assert cfg.optim.schedule.milestones == [121, 156]  # lr x0.1 at 70% and 90% of the run


def test_run_config_places_milestones_at_fractions() -> None:
    cfg = run_config({"rnn_units": 8}, steps=1000, seed=3, milestones=(0.5, 0.8))
    assert cfg["optim"]["schedule"]["milestones"] == [500, 800] and cfg["train"]["seed"] == 3
    assert official_optim(10)["schedule"]["milestones"] == [7, 9]
    assert load_run_config(cfg).recipe_args["rnn_units"] == 8


def test_args_validation_and_graph_made_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    args = STSSDLArgs(data=str(tmp_path / "s.csv"), graph="adj #1.csv")
    assert args.graph == str(tmp_path / "adj #1.csv")
    with pytest.raises(ValueError, match="graph needs data"):
        STSSDLArgs(graph="adj.csv")
    with pytest.raises(ValueError, match="in_len must be >= 1"):
        STSSDLArgs(in_len=0)
