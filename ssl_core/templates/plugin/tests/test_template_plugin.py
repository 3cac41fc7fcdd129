"""Tests of the template plugin, using the ssl_core.testing pytest plugin (fixtures load automatically)."""

from __future__ import annotations

import numpy as np
import pytest
import ssl_plugin_template.plugin as plugin
import torch
from ssl_plugin_template.encoders import TemplateEncoder
from ssl_plugin_template.objectives import AlignUniformLoss
from ssl_plugin_template.views import NoiseMaskViews

from ssl_core.testing.contracts import check_encoder, check_objective, check_view_generator


@pytest.fixture
def batch() -> dict[str, torch.Tensor]:
    return {"x": torch.randn(8, 32, generator=torch.Generator().manual_seed(0))}


def test_registers_what_the_manifest_declares(ssl_pm):
    with ssl_pm.registered(plugin):
        regs = ssl_pm.registries()
        for kind, names in plugin.PLUGIN.provides.items():
            assert sorted(names) == [n for n in regs.by_kind(kind).names() if n.startswith("template/")]
        assert [e.error for e in ssl_pm.errors] == []


def test_encoder_contract(batch):
    check_encoder(TemplateEncoder(32, 16, 8), batch)


def test_view_generator_contract(batch):
    check_view_generator(NoiseMaskViews(), batch, stochastic=True)


def test_objective_contract():
    gen = torch.Generator().manual_seed(0)
    z1, z2 = (torch.randn(6, 4, generator=gen, requires_grad=True) for _ in range(2))
    check_objective(AlignUniformLoss(), (z1, z2))


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError):
        TemplateEncoder(0)
    with pytest.raises(ValueError):
        NoiseMaskViews(mask_ratio=1.5)


def test_tiny_training_run(ssl_pm, tiny_train_config, tmp_run_dir):
    from ssl_core.engine import load_run, train

    with ssl_pm.registered(plugin):
        config = tiny_train_config("template/default", {"n_samples": 64})
        result = train(config, tmp_run_dir)
        assert result.step == config.train.steps and (tmp_run_dir / "config.yaml").is_file()
        loaded = load_run(tmp_run_dir)
        assert loaded.module.embed({"x": torch.zeros(3, 32)}).shape == (3, 32)


def test_cli_pretrain_and_embed(ssl_pm, cli_runner, tmp_path):
    with ssl_pm.registered(plugin):
        run_dir = tmp_path / "run"
        result = cli_runner.ssl(
            "template",
            "pretrain",
            "--steps",
            "2",
            "--device",
            "cpu",
            "--run-dir",
            str(run_dir),
            "--set",
            "train.batch_size=8",
            "--set",
            "recipe_args.n_samples=32",
            "--set",
            "train.progress=false",
        )
        assert result.exit_code == 0, result.output
        assert f"run directory: {run_dir}" in result.output
        features = tmp_path / "f.npy"
        np.save(features, np.random.default_rng(0).normal(size=(5, 32)).astype(np.float32))
        out = tmp_path / "emb.npy"
        result = cli_runner.ssl("template", "embed", str(run_dir), str(features), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert np.load(out).shape == (5, 32)
        np.save(features, np.zeros((5, 3), dtype=np.float32))
        result = cli_runner.ssl(
            "template", "embed", str(run_dir), str(features), "-o", str(tmp_path / "bad.npy")
        )
        assert result.exit_code != 0 and "expected shape (N, 32)" in result.output
        assert not (tmp_path / "bad.npy").exists()


def test_quick_demo(ssl_pm, tmp_path):
    from ssl_plugin_template.demo import demo

    with ssl_pm.registered(plugin):
        result = demo(tmp_path / "demo", quick=True)
    assert result.domain == "template" and result.rows
    assert all(np.isfinite(r.ssl[0]) and np.isfinite(r.baseline[0]) for r in result.rows)
