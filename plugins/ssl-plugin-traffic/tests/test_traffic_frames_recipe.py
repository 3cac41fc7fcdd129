"""The ``traffic/frames`` recipe: registration, argument checks, every view set-up, real Los-loop data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from ssl_core.engine import train
from ssl_core.errors import ConfigError
from ssl_core.evaluation import generic_report
from ssl_core.plugins import get_registries
from ssl_core.testing.configs import tiny_run_config
from ssl_core.testing.data import shared_data_dir


def _csv(tmp_path: Path) -> Path:
    g = torch.Generator().manual_seed(0)
    speed = 50 + 10 * torch.randn(120, 10, generator=g)
    path = tmp_path / "speed.csv"
    lines = [",".join(f"s{i}" for i in range(10))] + [
        ",".join(f"{v:.2f}" for v in row) for row in speed.tolist()
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.data
@pytest.mark.timeout(300)
def test_frames_trains_through_engine_on_los_loop(tmp_path: Path) -> None:
    data = shared_data_dir("traffic") / "los_loop" / "los_speed.csv"
    config = tiny_run_config(
        "traffic/frames", {"data": str(data), "frame": "wavelet"}, steps=3, batch_size=32, monitor_every=1
    )
    result = train(config, tmp_path / "run")
    assert result.step == 3
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert all(math.isfinite(r["loss"]) for r in rows)
    assert any("monitor/rankme" in r for r in rows)
    recipe = result.recipe
    assert recipe.label_key == "tod" and len(recipe.eval_data) == 42 * 84
    # 2012-03-01 is a Thursday: Sat 3 and Sun 4 of the 7 days are weekend (2 / 7 of the windows)
    daytype = recipe.eval_data.tensors["daytype"]
    assert float(daytype.float().mean()) == pytest.approx(2 / 7)
    batch = recipe.eval_data.__getitems__(torch.arange(8))
    assert result.module.embed(batch).shape == (8, 64)
    # held-out sensors never appear in training
    assert not set(recipe.data.train_sensors.tolist()) & set(recipe.data.eval_sensors.tolist())
    report = generic_report(result.module, recipe, seeds=(0,))
    assert set(report) == {"probe/acc", "random/acc", "n_eval"}
    assert 0.0 <= report["probe/acc"][0] <= 1.0


def test_recipe_is_registered_with_validated_args() -> None:
    entry = get_registries().recipes.get("traffic/frames")
    args = entry.validate({"window": 12, "frame": "fourier"})
    assert args["window"] == 12 and args["objective"] == "vicreg" and args["data"] is None
    with pytest.raises(Exception, match="frame"):
        entry.validate({"frame": "haar"})


def test_frames_on_a_csv_every_view_setup(tmp_path: Path) -> None:
    path = _csv(tmp_path)
    entry = get_registries().recipes.get("traffic/frames")
    for frame, objective in (("fourier", "vicreg"), ("wavelet", "ntxent"), ("both", "ntxent")):
        recipe = entry.build(data=str(path), window=12, stride=6, frame=frame, objective=objective)
        assert len(recipe.eval_data) == 2 * 10  # sensors 0 and 5, 10 windows each
        assert len(recipe.train_data) == 8 * 19
        batch = recipe.train_data.__getitems__(torch.arange(16))
        out = recipe.module(batch, torch.Generator().manual_seed(0))
        assert torch.isfinite(out.loss) and out.embeddings.shape == (16, 64)
        out.loss.backward()
        assert all(p.grad is not None for p in recipe.module.encoder.parameters())
        assert set(recipe.module.encoder) == {
            "time",
            *(["fourier", "wavelet"] if frame == "both" else [frame]),
        }


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"frame": "both", "objective": "vicreg"}, "recipe_args.frame"),
        ({"eval_every": 11}, "recipe_args.eval_every"),
        ({"window": 121}, "recipe_args.window"),
        ({"stride": 0}, "recipe_args.stride"),
    ],
)
def test_arguments_that_do_not_fit_the_data_are_config_errors(tmp_path: Path, args, field) -> None:
    entry = get_registries().recipes.get("traffic/frames")
    with pytest.raises(ConfigError) as info:
        entry.build(data=str(_csv(tmp_path)), **{"window": 12, **args})
    assert info.value.key == field


def test_frames_without_data_runs_on_the_simulator() -> None:
    recipe = get_registries().recipes.get("traffic/frames").build(sim_nodes=10, sim_days=2, stride=12)
    labels = recipe.eval_data.tensors["tod"]
    assert len(recipe.eval_data) == 2 * (2 * 96 // 24)  # sensors 0 and 5, 15-minute steps
    assert set(labels.tolist()) == {0, 1, 2, 3}
    assert recipe.data.source == "<simulator>"
