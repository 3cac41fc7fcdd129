"""``ssl_core.cli.domain`` helpers used by plugin CLIs."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path

import click
import numpy as np
import pytest
from click.testing import CliRunner

from ssl_core.cli.domain import (
    PretrainOptions,
    default_run_dir,
    domain_main,
    format_report,
    make_group,
    pretrain_options,
    pretrain_overrides,
    probe_rows,
    save_npy,
)
from ssl_core.errors import DataError
from ssl_core.evaluation.report import ComparisonRow
from ssl_core.plugins.manifest import PluginManifest


def _toy_group() -> click.Group:
    group = make_group("toy", "Toy domain.")

    @group.command()
    @pretrain_options
    @click.option("--extra", default=None)
    def pretrain(opts, extra):
        click.echo(repr((opts.data, opts.run_dir, opts.overrides(), extra)))

    @group.command()
    def broken():
        raise DataError("in.csv", "col", "bad value")

    return group


def test_pretrain_options_parse(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("x")
    result = CliRunner().invoke(
        _toy_group(),
        [
            "pretrain",
            "--data",
            str(data),
            "--run-dir",
            "r",
            "--steps",
            "5",
            "--seed",
            "1",
            "--device",
            "cpu",
            "--set",
            "optim.lr=1",
            "--set",
            "a.b=2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip() == repr(
        (data, Path("r"), ["train.steps=5", "train.seed=1", "train.device=cpu", "optim.lr=1", "a.b=2"], None)
    )
    plain = CliRunner().invoke(_toy_group(), ["pretrain", "--extra", "x", "--seed", "3"])
    assert plain.output.strip() == repr((None, None, ["train.seed=3"], "x"))
    assert CliRunner().invoke(_toy_group(), ["pretrain", "--steps", "0"]).exit_code == 2
    assert CliRunner().invoke(_toy_group(), ["pretrain", "--data", str(tmp_path / "missing")]).exit_code == 2
    assert pretrain_overrides() == []
    assert PretrainOptions(steps=5, seed=1, sets=("a=1",)).overrides(steps=False) == ["train.seed=1", "a=1"]


def test_group_reports_ssl_errors_cleanly():
    result = CliRunner().invoke(_toy_group(), ["broken"])
    assert result.exit_code == 1 and "Error: in.csv: col: bad value" in result.output


def test_default_run_dir_is_unique(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = default_run_dir("toy")
    assert re.fullmatch(r"runs/toy/\d{8}-\d{6}", first.as_posix())
    first.mkdir(parents=True)
    second = default_run_dir("toy")
    assert second != first and second.parent == first.parent


def test_domain_main_behaves_like_ssl_domain(ssl_pm, monkeypatch, capsys):
    mod = types.ModuleType("toy_cli_module")
    mod.group = _toy_group()
    monkeypatch.setitem(sys.modules, "toy_cli_module", mod)
    plugin = types.ModuleType("toy_plugin")
    plugin.PLUGIN = PluginManifest("toy", "toy", cli="toy_cli_module:group")
    main = domain_main("toy")
    with ssl_pm.registered(plugin):
        with pytest.raises(SystemExit) as info:
            main(["--help"])
        assert info.value.code == 0
        assert "Usage: ssl-toy [OPTIONS] COMMAND" in capsys.readouterr().out
        with pytest.raises(SystemExit) as info:
            main(["pretrain", "--steps", "3"])
        assert info.value.code == 0 and "train.steps=3" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 1 and "no installed plugin provides 'ssl toy'" in capsys.readouterr().err


def test_probe_rows_and_format_report():
    report = {
        "probe/acc": (0.8, 0.01),
        "random/acc": (0.4, 0.02),
        "probe/rmse": (1.0, 0.1),
        "random/rmse": (2.0, 0.1),
        "n_eval": 10,
    }
    out = probe_rows(report, task="label")
    rows = out["rows"]
    assert [(r.metric, r.higher_is_better, r.ssl_wins) for r in rows] == [
        ("acc", True, True),
        ("rmse", False, True),
    ]
    assert out["n_eval"] == 10
    assert "ssl better" in format_report(out) and "random init" in format_report(out)
    assert format_report([ComparisonRow("t", "m", (1.0, 0.0), (0.0, 0.0))]).count("\n") >= 2
    assert format_report({"loss": (1.5, 0.25), "n": 3}).splitlines()[0].split() == [
        "loss",
        "1.5000",
        "+-",
        "0.2500",
    ]
    assert probe_rows({"x": 1}, task="t") == {"x": 1}


def test_save_npy_is_atomic(tmp_path):
    path = save_npy(np.arange(6.0).reshape(2, 3), tmp_path / "sub" / "e.npy")
    assert np.load(path).shape == (2, 3) and [p.name for p in path.parent.iterdir()] == ["e.npy"]
    with pytest.raises(ValueError):  # object arrays cannot be written with allow_pickle=False
        save_npy(np.array([{"a": 1}], dtype=object), tmp_path / "bad.npy")
    assert not (tmp_path / "bad.npy").exists() and not list(tmp_path.glob(".bad.npy*"))
