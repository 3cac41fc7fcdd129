"""Tests of the template plugin, using the ssl_core.testing pytest plugin (fixtures load automatically)."""

from __future__ import annotations

import numpy as np
import pytest
import ssl_plugin_template.plugin as plugin
import torch
from ssl_plugin_template.encoders import TemplateEncoder
from ssl_plugin_template.objectives import AlignUniformLoss
from ssl_plugin_template.views import NoiseMaskViews

from ssl_core.testing import check_plugin
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


EXAMPLES = {
    "template/mlp": lambda: (TemplateEncoder(32, 16, 8), {"x": torch.randn(8, 32)}),
    "template/noise-mask": lambda: (NoiseMaskViews(), {"x": torch.randn(8, 32)}),
    "template/align-uniform": lambda: (
        AlignUniformLoss(),
        tuple(torch.randn(6, 4, requires_grad=True) for _ in range(2)),
    ),
}


def write_features(folder, n: int = 64, name: str = "features.npz"):
    """An ``.npz`` of (n, 32) float features with integer labels (the template's --data format)."""
    rng = np.random.default_rng(0)
    path = folder / name
    np.savez(path, x=rng.normal(size=(n, 32)).astype(np.float32), label=rng.integers(0, 4, n))
    return path


def test_plugin_contract(tmp_path):
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=write_features)


QUICK = ["--steps", "3", "--device", "cpu", "--set", "train.batch_size=8", "--set", "train.progress=false"]


def test_relative_data_with_odd_name_then_deleted(ssl_pm, cli_runner, tmp_path, monkeypatch):
    """--data relative to the working folder, with '#', ':' and spaces; evaluate/embed after deletion."""
    work = tmp_path / "work"
    work.mkdir()
    data = write_features(work, n=80, name="speed #1: x y.npz")
    monkeypatch.chdir(work)
    run_dir = tmp_path / "run"
    with ssl_pm.registered(plugin):
        result = cli_runner.ssl(
            "template", "pretrain", "--data", data.name, "--run-dir", str(run_dir), *QUICK
        )
        assert result.exit_code == 0, result.output
        monkeypatch.chdir(tmp_path)
        data.unlink()
        result = cli_runner.ssl("template", "evaluate", str(run_dir), "--quick")
        assert result.exit_code == 0, result.output
        assert "random init" in result.output and "raw features" in result.output
        np.save(tmp_path / "f.npy", np.zeros((5, 32), dtype=np.float32))
        out = tmp_path / "emb.npy"
        result = cli_runner.ssl("template", "embed", str(run_dir), str(tmp_path / "f.npy"), "-o", str(out))
        assert result.exit_code == 0, result.output
        assert np.load(out).shape == (5, 32)
    import yaml

    saved = yaml.safe_load((run_dir / "config.yaml").read_text())
    assert saved["recipe_args"]["data"] == str(data)  # absolute, verbatim, not parsed as YAML


def test_embed_rejects_a_wrong_shape(ssl_pm, cli_runner, tmp_path):
    run_dir = tmp_path / "run"
    with ssl_pm.registered(plugin):
        result = cli_runner.ssl(
            "template", "pretrain", "--run-dir", str(run_dir), "--set", "recipe_args.n_samples=64", *QUICK
        )
        assert result.exit_code == 0, result.output
        np.save(tmp_path / "f.npy", np.zeros((5, 3), dtype=np.float32))
        result = cli_runner.ssl(
            "template", "embed", str(run_dir), str(tmp_path / "f.npy"), "-o", str(tmp_path / "bad.npy")
        )
    assert result.exit_code != 0 and "expected shape (N, 32)" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "bad.npy").exists()


def test_plugin_options_come_from_the_args_dataclass(ssl_pm, cli_runner):
    with ssl_pm.registered(plugin):
        result = cli_runner.ssl("template", "pretrain", "--help")
    assert result.exit_code == 0, result.output
    for option in ("--n-samples", "--hidden", "--resume", "--force", "--nproc-per-node", "--data"):
        assert option in result.output
    assert "Hidden width of the encoder MLP." in result.output
