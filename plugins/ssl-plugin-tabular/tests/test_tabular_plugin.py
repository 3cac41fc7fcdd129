"""Plugin wiring: the contract (check_plugin), the recipe through the engine, the CLI (pretrain / evaluate / embed)."""

from __future__ import annotations

import os

import numpy as np
import pytest
import ssl_plugin_tabular.plugin as plugin
import torch
import yaml
from conftest import make_csv, ssl, ssl_tabular, write_new_rows
from ssl_plugin_tabular.encoders import TJEPAEncoder
from ssl_plugin_tabular.objectives import JEPALoss
from ssl_plugin_tabular.views import tjepa_masks

from ssl_core.engine import load_run, train
from ssl_core.lifecycle import evaluate_run
from ssl_core.plugins import get_registries
from ssl_core.testing import check_plugin
from ssl_core.testing.configs import tiny_run_config
from ssl_core.testing.pytest_plugin import isolated_plugin_manager

TINY_ARGS = {
    "dim": 8, "depth": 1, "heads": 2, "ffn_dim": 8, "pred_dim": 4, "pred_depth": 1, "pred_heads": 2,
    "probe_epochs": 3, "probe_select_every": 1, "eval_seeds": 1, "target": "label",
}  # fmt: skip
TINY_SET = [f"recipe_args.{k}={v}" for k, v in TINY_ARGS.items() if k != "target"]
TINY_CLI = [x for s in [*TINY_SET, "train.batch_size=16", "train.progress=false"] for x in ("--set", s)]


def _batch(b: int) -> dict[str, torch.Tensor]:
    gen = torch.Generator().manual_seed(0)
    return {"x_num": torch.rand(b, 2, generator=gen), "x_cat": torch.randint(0, 3, (b, 1), generator=gen)}


EXAMPLES = {
    "tabular/tjepa-encoder": lambda: (TJEPAEncoder(2, [3], dim=8, depth=1, heads=2, ffn_dim=8), _batch(6)),
    # target_idx is (num_targets, B, n): ContextTargetMasks declares batch_dims = {"target_idx": 1}
    "tabular/context-target": lambda: (tjepa_masks(3, num_targets=4), _batch(6)),
    "tabular/jepa": lambda: (JEPALoss(), (torch.randn(6, 3, 8, requires_grad=True), torch.randn(6, 3, 8))),
}


@pytest.mark.timeout(240)
def test_plugin_contract(tmp_path):
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=write_new_rows)


def test_recipe_trains_and_reloads_without_the_file(tmp_path, write_csv, csv_text):
    data = write_csv(csv_text(120))
    cfg = tiny_run_config("tabular/tjepa", {**TINY_ARGS, "data": str(data)}, batch_size=16, steps=2)
    result = train(cfg, tmp_path / "run")
    assert result.step == 2 and len(result.recipe.train_data) == len(result.recipe.data.splits["train"])
    data.unlink()
    loaded = load_run(tmp_path / "run")
    assert loaded.recipe.train_data is None
    batch = loaded.recipe.data.splits["test"].tensors()
    emb = loaded.module.embed(batch)
    assert emb.shape == (len(batch["x_num"]), (1 + 3) * 8)
    np.testing.assert_allclose(emb.numpy(), result.module.embed(batch).numpy(), rtol=1e-5, atol=1e-6)
    rows = evaluate_run(tmp_path / "run", quick=True, seeds=2)  # explicit seeds win over --quick's one
    assert [r.extra["baseline"] for r in rows] == ["same MLP on raw features", "HistGradientBoosting"]
    assert rows[0].extra["seeds"] == 2 and rows[0].extra["n_train"] == len(loaded.recipe.data.splits["train"])
    assert all(r.n == 2 and r.unit == "seeds" and r.method == "paired t" and r.diff_ci for r in rows)
    (one, _) = evaluate_run(tmp_path / "run", quick=True)  # one seed: a bootstrap over the test rows
    n_test = len(loaded.recipe.data.splits["test"])
    assert one.n == n_test and one.unit == "test rows" and one.method == "paired bootstrap"
    assert one.diff_ci is not None and one.diff_ci[0] <= one.delta <= one.diff_ci[1]


def test_bad_recipe_args_name_the_key(write_csv, csv_text):
    with pytest.raises(Exception, match="price"):
        get_registries().recipes.build("tabular/tjepa", data=str(write_csv(csv_text())), target="price")
    with pytest.raises(Exception, match="ctx_range"):
        get_registries().recipes.build("tabular/tjepa", ctx_range=[0.1])


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """A tiny run pretrained through ``ssl-tabular`` from ``--data`` given relative to the working
    folder, with '#', ':' and spaces in its name; the data file is deleted afterwards."""
    root = tmp_path_factory.mktemp("cli")
    (root / "work").mkdir()
    data = root / "work" / "speed #1: my table.csv"
    data.write_text(make_csv(150))
    cwd = os.getcwd()
    with isolated_plugin_manager() as pm, pm.registered(plugin, "tabular"):
        os.chdir(root / "work")
        try:
            result = ssl_tabular("pretrain", "--data", data.name, "--target", "label", "--categorical", "b",
                                  "--run-dir", "../run", "--steps", "2", *TINY_CLI)  # fmt: skip
        finally:
            os.chdir(cwd)
        assert result.exit_code == 0, result.output
        assert "run directory: ../run" in result.output
        data.unlink()
        yield root / "run", data


def test_cli_stores_the_absolute_data_path_verbatim(cli_run):
    run, data = cli_run
    saved = yaml.safe_load((run / "config.yaml").read_text())["recipe_args"]
    assert saved["data"] == str(data) and saved["categorical"] == ["b"] and saved["target"] == "label"


def test_ssl_eval_and_ssl_tabular_evaluate_print_the_same_table(cli_run):
    run, _ = cli_run
    ours, core = ssl_tabular("evaluate", str(run)), ssl("eval", str(run))
    assert ours.exit_code == 0 and core.exit_code == 0, ours.output + core.output
    assert "HistGradientBoosting" in ours.output and "same MLP on raw features" in ours.output
    assert ours.output == core.output


def test_cli_embed_after_the_data_is_gone(cli_run, tmp_path):
    run, _ = cli_run
    new = tmp_path / "new.csv"
    new.write_text("a,b,color\n1.5,3,red\n2.0,4,purple\n")
    with pytest.warns(UserWarning, match="1 categorical cells unseen"):
        result = ssl_tabular("embed", str(run), str(new), "-o", str(tmp_path / "emb.npy"))
    assert result.exit_code == 0, result.output
    emb = np.load(tmp_path / "emb.npy")
    assert emb.shape == (2, (1 + 3) * 8) and np.isfinite(emb).all()
    bad = tmp_path / "bad.csv"
    bad.write_text("a,color\n1.5,red\n")
    result = ssl_tabular("embed", str(run), str(bad), "-o", str(tmp_path / "bad.npy"))
    assert result.exit_code != 0 and not (tmp_path / "bad.npy").exists()
    assert "b: feature column not found" in result.output and "Traceback" not in result.output


def test_plugin_options_come_from_the_args_dataclass():
    result = ssl_tabular("pretrain", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--target", "--numeric", "--categorical", "--drop", "--task", "--resume", "--data"):
        assert option in result.output
    assert (
        "[auto|classification|regression]" in result.output and "Columns forced categorical" in result.output
    )
    bad = ssl_tabular("pretrain", "--task", "ranking")
    assert bad.exit_code != 0 and "'ranking' is not one of" in bad.output


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
