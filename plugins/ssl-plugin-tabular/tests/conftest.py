"""Shared fixtures: small synthetic tables written as CSV files; the CLIs run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from ssl_core.testing import ConsoleRun, run_console


@pytest.fixture
def write_csv(tmp_path: Path):
    """Write ``text`` to ``tmp_path/name`` and return the path."""

    def _write(text: str, name: str = "table.csv") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return _write


@pytest.fixture
def csv_text():
    """Factory of small mixed tables as CSV text."""
    return make_csv


def make_csv(n: int = 60) -> str:
    """A small mixed table: two numeric columns, one categorical, a binary label."""
    lines = ["a,b,color,label"]
    for i in range(n):
        color = ["red", "green", "blue"][i % 3]
        lines.append(f"{i * 0.5},{(i * 7) % 11},{color},{'yes' if i % 2 else 'no'}")
    return "\n".join(lines) + "\n"


Ran = ConsoleRun


def ssl_tabular(*args: str) -> Ran:
    """``ssl-tabular ARGS``: the console script's ``main`` in-process."""
    from ssl_plugin_tabular.cli import main

    return run_console(main, *args)


def ssl(*args: str) -> Ran:
    """``ssl ARGS`` in-process."""
    from ssl_core.cli.root import cli

    result = CliRunner().invoke(cli, list(args))
    return Ran(result.exit_code, result.output)


def write_new_rows(folder: Path) -> Path:
    """A few new Adult-format rows (the embedded default's columns) for ``embed``."""
    from ssl_plugin_tabular.readers import ADULT_COLUMNS

    path = folder / "new rows.csv"
    row = "39,State-gov,77516,Bachelors,13,Never-married,Adm-clerical,Not-in-family,White,Male,2174,0,40,Mars"
    path.write_text(",".join(ADULT_COLUMNS[:-1]) + "\n" + row + "\n" + row.replace("39", "52", 1) + "\n")
    return path
