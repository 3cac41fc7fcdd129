"""``ssl_core.cli.domain``: the group every domain gets, and its helpers (lifecycle: tests/lifecycle)."""

from __future__ import annotations

import re
import sys
import types

import click
import numpy as np
import pytest
from click.testing import CliRunner

from ssl_core.cli.domain import default_run_dir, domain_main, format_rows, save_npy
from ssl_core.cli.errors import FriendlyGroup
from ssl_core.errors import DataError
from ssl_core.evaluation.report import ComparisonRow
from ssl_core.plugins.manifest import PluginManifest


def _toy_group() -> click.Group:
    group = FriendlyGroup(name="toy", help="Toy domain.")

    @group.command()
    @click.option("--steps", default=None)
    def pretrain(steps):
        click.echo(f"train.steps={steps}")

    @group.command()
    def broken():
        raise DataError("in.csv", "col", "bad value")

    return group


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


def test_domain_main_reports_a_plugin_cli_that_fails_to_load(ssl_pm, monkeypatch, capsys):
    plugin = types.ModuleType("toy_plugin")
    plugin.PLUGIN = PluginManifest("toy", "toy", cli="no_such_module_anywhere:group")
    with ssl_pm.registered(plugin), pytest.raises(SystemExit) as info:
        domain_main("toy")(["--help"])
    err = capsys.readouterr().err
    assert info.value.code == 1 and "Error: cannot load command 'toy'" in err and "Traceback" not in err


def test_format_rows():
    text = format_rows([ComparisonRow("t", "m", (1.0, 0.0), (0.0, 0.0), extra={"baseline": "random init"})])
    assert "verdict" in text and "vs random init:" in text
    assert format_rows([]) == "(no comparison rows)"


def test_save_npy_is_atomic(tmp_path):
    path = save_npy(np.arange(6.0).reshape(2, 3), tmp_path / "sub" / "e.npy")
    assert np.load(path).shape == (2, 3) and [p.name for p in path.parent.iterdir()] == ["e.npy"]
    with pytest.raises(ValueError):  # object arrays cannot be written with allow_pickle=False
        save_npy(np.array([{"a": 1}], dtype=object), tmp_path / "bad.npy")
    assert not (tmp_path / "bad.npy").exists() and not list(tmp_path.glob(".bad.npy*"))
