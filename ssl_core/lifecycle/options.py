"""The options of ``ssl-<domain> pretrain``: the shared ones, plus a plugin's args-dataclass fields.

A plugin lists the fields of its recipe's args dataclass that users set often
(``DomainSpec.options``); each becomes ``--<field-name>`` with the field's type, default, help
and choices taken from the dataclass, declared once::

    @dataclass
    class TJEPAArgs:
        target: str | None = field(default=None, metadata={"help": "Label column of a CSV."})
        task: str = field(default="auto", metadata={"choices": ("auto", "classification", "regression")})
        categorical: list[str] = field(default_factory=list, metadata={"help": "Columns forced categorical."})

Without ``metadata["help"]`` the help is the field's line in the class docstring's ``Attributes:``
section (of the class or a base class). ``list[...]`` fields take comma-separated values; ``bool``
fields become ``--x/--no-x``; fields with ``metadata={"path": True}`` are stored as absolute paths.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Union

import click

__all__ = ["PretrainOptions", "args_options", "field_help", "path_fields"]


@dataclass(frozen=True)
class PretrainOptions:
    """What ``ssl-<domain> pretrain`` was asked (every field optional: the default config decides).

    Attributes:
        data: ``--data``: a file or folder in the field's format (``None``: the embedded default).
        run_dir: ``--run-dir`` (``None``: ``runs/<domain>/<UTC timestamp>``).
        resume: ``--resume RUN_DIR``: continue that run (and its baseline runs).
        force: ``--force``: overwrite a run directory that holds a run; with ``--resume``, accept
            a changed config.
        steps, seed, device: ``train.steps`` (epochs cleared), ``train.seed``, ``train.device``.
        nproc_per_node: processes on this machine (> 1 relaunches through torchrun).
        sets: ``--set KEY=VALUE`` overrides, in order (applied last).
        args: the plugin's own options (``recipe_args`` fields) that were given.
        report: write ``RUN_DIR/report.html`` when training ends (``ssl_core.report``).
    """

    data: Path | None = None
    run_dir: Path | None = None
    resume: Path | None = None
    force: bool = False
    steps: int | None = None
    seed: int | None = None
    device: str | None = None
    nproc_per_node: int = 1
    sets: tuple[str, ...] = ()
    args: dict[str, Any] = field(default_factory=dict)
    report: bool = True

    def overrides(self) -> list[str]:
        """``--steps/--seed/--device`` as ``train.*`` overrides, followed by the ``--set`` ones."""
        out = [] if self.steps is None else [f"train.steps={self.steps}", "train.epochs=null"]
        out += [f"train.{k}={v}" for k, v in (("seed", self.seed), ("device", self.device)) if v is not None]
        return [*out, *self.sets]


def _docstring_attributes(cls: type) -> dict[str, str]:
    """``{name: text}`` from the ``Attributes:`` section of ``cls``'s docstring (Google style)."""
    doc = typing.cast(str, cls.__doc__ or "")
    section = doc.split("Attributes:", 1)[1] if "Attributes:" in doc else ""
    found: dict[str, str] = {}
    current: list[str] = []
    for line in section.splitlines():
        match = re.match(r"^\s{4,8}([\w, ]+):\s*(.*)$", line)
        if match:
            current = [n.strip() for n in match.group(1).split(",")]
            for name in current:
                found[name] = match.group(2).strip()
        elif line.strip() and current:
            for name in current:
                found[name] += " " + line.strip()
        elif not line.strip() and found:
            current = []
    return found


def field_help(cls: type, name: str) -> str:
    """The help text of field ``name``: ``metadata["help"]``, else its line in the docstring of the
    class or of the nearest base class that documents it (inherited fields keep their help)."""
    for f in dataclasses.fields(cls):
        if f.name == name and "help" in f.metadata:
            return str(f.metadata["help"])
    for klass in cls.__mro__:
        text = _docstring_attributes(klass).get(name) if dataclasses.is_dataclass(klass) else None
        if text:
            return text
    return ""


def _strip_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else str
    return tp


def _split_list(item: Callable[[str], Any]) -> Callable[[str | None], list[Any] | None]:
    def convert(value: str | None) -> list[Any] | None:
        if value is None:
            return None
        return [item(v.strip()) for v in value.split(",") if v.strip()]

    return convert


def _option(cls: type, f: dataclasses.Field[Any], tp: Any) -> Callable[[Any], Any]:
    """One click option for dataclass field ``f`` (type ``tp``); the value arrives as ``arg__<name>``."""
    flag = "--" + f.name.replace("_", "-")
    dest = f"arg__{f.name}"
    helptext = field_help(cls, f.name)
    choices = f.metadata.get("choices")
    base = _strip_optional(tp)
    if base is bool:
        return click.option(f"{flag}/--no-{flag[2:]}", dest, default=None, help=helptext)
    if typing.get_origin(base) is Literal or choices:
        values = [str(v) for v in (choices or typing.get_args(base))]
        return click.option(flag, dest, type=click.Choice(values), default=None, help=helptext)
    if typing.get_origin(base) is list:
        (item,) = typing.get_args(base) or (str,)
        convert = _split_list(item if item in (int, float, str) else str)
        return click.option(
            flag,
            dest,
            default=None,
            metavar="A,B,...",
            callback=lambda _ctx, _param, value: convert(value),
            help=f"{helptext} (comma-separated)".strip(),
        )
    kind = base if base in (int, float, str) else str
    return click.option(flag, dest, type=kind, default=None, help=helptext)


def args_options(cls: type, names: Sequence[str]) -> list[Callable[[Any], Any]]:
    """Click options for the fields ``names`` of the args dataclass ``cls`` (declaration order).

    Raises:
        ValueError: a name that is not a field of ``cls`` (a plugin bug, found by ``check_plugin``).
    """
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = [n for n in names if n not in fields]
    if unknown:
        raise ValueError(f"{cls.__name__} has no field(s) {', '.join(unknown)} (DomainSpec.options)")
    return [_option(cls, fields[n], hints[n]) for n in names]


def path_fields(cls: type) -> set[str]:
    """Fields of ``cls`` declared ``metadata={"path": True}``: made absolute like ``--data``."""
    return {f.name for f in dataclasses.fields(cls) if f.metadata.get("path")}
