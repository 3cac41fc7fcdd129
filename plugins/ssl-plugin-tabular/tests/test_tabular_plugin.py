"""Plugin wiring: registry entries, the recipe through the engine, the CLI (pretrain / evaluate / embed), the demo."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from ssl_plugin_tabular.cli import main

from ssl_core.engine import load_run, train
from ssl_core.plugins import get_registries
from ssl_core.testing.configs import tiny_run_config

TINY_ARGS = {
    "dim": 8, "depth": 1, "heads": 2, "ffn_dim": 8, "pred_dim": 4, "pred_depth": 1, "pred_heads": 2,
    "probe_epochs": 3, "probe_select_every": 1, "eval_seeds": 1, "target": "label",
}  # fmt: skip
TINY_SET = [f"recipe_args.{k}={v}" for k, v in TINY_ARGS.items() if k != "target"]


def test_registered_components():
    reg = get_registries()
    assert "tabular/tjepa" in reg.recipes.names() and "tabular/default" in reg.demos.names()
    assert (
        "tabular/tjepa-encoder" in reg.encoders.names()
        and "tabular/context-target" in reg.view_generators.names()
    )


def test_recipe_trains_and_reloads(tmp_path, write_csv, csv_text):
    data = write_csv(csv_text(120))
    cfg = tiny_run_config("tabular/tjepa", {**TINY_ARGS, "data": str(data)}, batch_size=16, steps=2)
    result = train(cfg, tmp_path / "run")
    assert result.step == 2
    loaded = load_run(tmp_path / "run")
    batch = loaded.recipe.extras["prepared"].splits["test"].tensors()
    emb = loaded.module.embed(batch)
    assert emb.shape == (len(batch["x_num"]), (1 + 3) * 8)
    np.testing.assert_allclose(emb.numpy(), result.module.embed(batch).numpy(), rtol=1e-5, atol=1e-6)
    report = loaded.recipe.evaluate(loaded.module, loaded.recipe)
    assert [r.extra["baseline"] for r in report["rows"]] == [
        "same MLP on raw features",
        "HistGradientBoosting",
    ]


def test_bad_recipe_args_name_the_key(write_csv, csv_text):
    with pytest.raises(Exception, match="price"):
        get_registries().recipes.build("tabular/tjepa", data=str(write_csv(csv_text())), target="price")


@pytest.mark.timeout(240)
def test_cli_pretrain_evaluate_embed(tmp_path, write_csv, csv_text, capsys):
    data = write_csv(csv_text(150))
    run = tmp_path / "run"
    overrides = [x for s in [*TINY_SET, "train.batch_size=16", "train.progress=false"] for x in ("--set", s)]
    with pytest.raises(SystemExit) as done:
        main(
            [
                "pretrain",
                "--data",
                str(data),
                "--target",
                "label",
                "--categorical",
                "b",
                "--run-dir",
                str(run),
                "--steps",
                "2",
                *overrides,
            ]
        )
    assert done.value.code == 0 and f"run directory: {run}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["evaluate", str(run)])
    out = capsys.readouterr().out
    assert done.value.code == 0 and "HistGradientBoosting" in out and "same MLP on raw features" in out
    new = write_csv("a,b,color\n1.5,3,red\n2.0,4,purple\n", "new.csv")
    with pytest.raises(SystemExit) as done:
        main(["embed", str(run), str(new), "-o", str(tmp_path / "emb.npy")])
    assert done.value.code == 0
    emb = np.load(tmp_path / "emb.npy")
    assert emb.shape == (2, (1 + 3) * 8) and np.isfinite(emb).all()
    bad = write_csv("a,color\n1.5,red\n", "bad.csv")
    with pytest.raises(SystemExit) as done:
        main(["embed", str(run), str(bad), "-o", str(tmp_path / "bad.npy")])
    assert done.value.code != 0 and not (tmp_path / "bad.npy").exists()
    assert "b" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_demo_quick(tmp_path: Path):
    from ssl_plugin_tabular.demo import demo

    result = demo(tmp_path / "demo", quick=True)
    assert result.domain == "tabular" and len(result.rows) == 2
    assert all(0.0 < r.ssl[0] <= 1.0 and 0.0 < r.baseline[0] <= 1.0 for r in result.rows)


def test_paper_config_is_valid_and_faithful():
    from ssl_plugin_tabular.recipes import paper_config

    from ssl_core.config import load_run_config
    from ssl_core.schedules import ema_momentum

    cfg = load_run_config({"recipe": "tabular/tjepa", **paper_config(steps=100, warmup_steps=10)})
    assert (cfg.train.batch_size, cfg.train.clip_value, cfg.optim.name, cfg.optim.lr) == (
        512,
        1.0,
        "adamw",
        3.66e-4,
    )
    assert cfg.optim.schedule.name == "warmup_cosine" and cfg.optim.schedule.final_ratio == 0.0
    assert ema_momentum(50, 100, cfg.ema) == pytest.approx(0.998) and ema_momentum(100, 100, cfg.ema) == 1.0
