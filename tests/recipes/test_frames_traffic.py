import json
import math

import pytest
import torch

from ssl_core.engine import train
from ssl_core.errors import ConfigError
from ssl_core.evaluation import generic_report
from ssl_core.plugins import get_registries
from ssl_core.testing.configs import tiny_run_config
from ssl_core.testing.data import shared_data_dir


@pytest.mark.data
@pytest.mark.timeout(300)
def test_vicreg_frames_trains_through_engine(tmp_path):
    data = shared_data_dir("traffic") / "los_loop" / "los_speed.csv"
    config = tiny_run_config(
        "core/vicreg-frames",
        {"data_path": str(data), "frame": "wavelet"},
        steps=3,
        batch_size=32,
        monitor_every=1,
    )
    result = train(config, tmp_path / "run")
    assert result.step == 3
    rows = [json.loads(line) for line in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    assert all(math.isfinite(r["loss"]) for r in rows)
    assert any("monitor/rankme" in r for r in rows)
    recipe = result.recipe
    assert recipe.label_key == "tod" and len(recipe.eval_data) == 42 * 84
    batch = recipe.eval_data.__getitems__(torch.arange(8))
    assert result.module.embed(batch).shape == (8, 64)
    # held-out sensors never appear in training
    assert not set(recipe.extras["train_sensors"].tolist()) & set(recipe.extras["eval_sensors"].tolist())
    report = generic_report(result.module, recipe, seeds=(0,))
    assert set(report) == {"probe/acc", "random/acc", "n_eval"}
    assert 0.0 <= report["probe/acc"][0] <= 1.0


def test_recipe_is_registered_with_validated_args():
    entry = get_registries().recipes.get("core/vicreg-frames")
    args = entry.validate({"window": 12, "frame": "fourier"})
    assert args["window"] == 12 and args["objective"] == "vicreg"
    with pytest.raises(Exception, match="frame"):
        entry.validate({"frame": "haar"})


def test_vicreg_frames_on_synthetic_csv(tmp_path):
    g = torch.Generator().manual_seed(0)
    speed = 50 + 10 * torch.randn(120, 10, generator=g)
    path = tmp_path / "speed.csv"
    lines = [",".join(f"s{i}" for i in range(10))] + [
        ",".join(f"{v:.2f}" for v in row) for row in speed.tolist()
    ]
    path.write_text("\n".join(lines) + "\n")
    entry = get_registries().recipes.get("core/vicreg-frames")
    for frame, objective in (("fourier", "vicreg"), ("wavelet", "ntxent"), ("both", "ntxent")):
        recipe = entry.build(data_path=str(path), window=12, stride=6, frame=frame, objective=objective)
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
    with pytest.raises(ConfigError, match="ntxent"):
        entry.build(data_path=str(path), window=12, frame="both", objective="vicreg")
