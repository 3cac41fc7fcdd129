"""Shared fixtures: small synthetic tables written as CSV files."""

from __future__ import annotations

from pathlib import Path

import pytest


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
