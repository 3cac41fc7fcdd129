"""Pretrain options generated from a plugin's args dataclass."""

from __future__ import annotations

import click
import pytest
import toy_domain  # tests/toy_domain.py
from click.testing import CliRunner

from ssl_core.lifecycle.options import PretrainOptions, args_options, field_help


def _command(names):
    @click.command()
    def show(**kwargs):
        click.echo(repr(sorted((k, v) for k, v in kwargs.items() if v is not None)))

    for option in reversed(args_options(toy_domain.ToyArgs, names)):
        show = option(show)
    return show


def test_types_help_and_choices_come_from_the_dataclass():
    cmd = _command(["width", "mode", "tags", "scale", "strong"])
    out = CliRunner().invoke(
        cmd, ["--width", "4", "--mode", "b", "--tags", "x, y", "--scale", "0.5", "--strong"]
    )
    assert out.exit_code == 0, out.output
    assert out.output.strip() == repr(
        [
            ("arg__mode", "b"),
            ("arg__scale", 0.5),
            ("arg__strong", True),
            ("arg__tags", ["x", "y"]),
            ("arg__width", 4),
        ]
    )
    assert CliRunner().invoke(cmd, ["--mode", "c"]).exit_code == 2  # choices from Literal
    assert CliRunner().invoke(cmd, ["--width", "x"]).exit_code == 2  # int type
    assert "--no-strong" in CliRunner().invoke(cmd, ["--help"]).output
    assert CliRunner().invoke(cmd, []).output.strip() == "[]"  # nothing given: the config decides


def test_help_from_metadata_else_docstring():
    assert field_help(toy_domain.ToyArgs, "width") == "Hidden width of the toy encoder."
    assert field_help(toy_domain.ToyArgs, "scale") == "input scale."
    assert field_help(toy_domain.ToyArgs, "data").startswith(
        "an ``.npz`` with ``x`` (N, 6) and ``y`` (N,), or None"
    )


def test_unknown_field_is_a_plugin_error():
    with pytest.raises(ValueError, match="no field"):
        args_options(toy_domain.ToyArgs, ["nope"])


def test_steps_clear_epochs_and_sets_come_last():
    opts = PretrainOptions(steps=5, seed=1, device="cpu", sets=("train.steps=7",))
    assert opts.overrides() == [
        "train.steps=5",
        "train.epochs=null",
        "train.seed=1",
        "train.device=cpu",
        "train.steps=7",
    ]
    assert PretrainOptions().overrides() == []


def test_inherited_fields_keep_their_docstring_help():
    assert field_help(toy_domain.ToyChildArgs, "scale") == "input scale."


def test_path_fields_are_stored_absolute(toy_pm, tmp_path, monkeypatch):
    from ssl_core.lifecycle import pretrain_config

    monkeypatch.chdir(tmp_path)
    config = pretrain_config("toy", PretrainOptions(args={"init_from": "sub/w.pt", "tags": ["a"]}))
    assert config.recipe_args["init_from"] == str(tmp_path / "sub" / "w.pt")
    assert config.recipe_args["tags"] == ["a"]
