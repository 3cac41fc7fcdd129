"""The architecture contracts (``[tool.importlinter]`` in pyproject.toml) hold: ``lint-imports`` exits 0.

This is how CI runs import-linter: ``make test`` runs this suite. The contracts: the core never
imports a plugin, plugins never import each other, the core's layers only point down, plugins import
only ssl_core's public modules (docs/api.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN_SOURCES = sorted((REPO / "plugins").glob("*/src"))


def lint_imports(*args: str) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` of this interpreter's environment, from the repo root, every plugin importable."""
    path = [str(REPO), *map(str, PLUGIN_SOURCES), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in path if p)}
    exe = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(exe), "--no-cache", "--no-logo", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_lint_imports_passes():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout, result.stdout


def test_every_plugin_package_is_a_root_package_of_the_contracts():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {p.name for src in PLUGIN_SOURCES for p in src.iterdir() if (p / "__init__.py").is_file()}
    assert packages and packages <= set(config["root_packages"])
    for contract in config["contracts"]:
        if contract["id"] in ("core-never-imports-a-plugin", "plugins-are-independent"):
            listed = contract.get("forbidden_modules") or contract.get("modules")
            assert set(listed) == packages, contract["id"]
        if contract["id"] == "plugins-use-the-public-api":
            assert set(contract["source_modules"]) == packages
