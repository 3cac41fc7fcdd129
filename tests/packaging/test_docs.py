"""Docs check: relative links resolve, the README quickstart is the Makefile/CI contract, versions agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ssl_core._version import __version__

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_relative_links_resolve(doc):
    for target in LINK.findall(doc.read_text()):
        if "://" in target or target.startswith("mailto:"):
            continue
        assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def _quickstart_commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_quickstart_is_exactly_two_make_targets_that_exist():
    commands = _quickstart_commands()
    assert commands == ["make demo", "make test"]
    makefile = (REPO / "Makefile").read_text()
    for target in ("demo", "test", "install"):
        assert re.search(rf"^{target}:", makefile, re.M), f"Makefile has no {target} target"


def test_ci_runs_the_readme_test_command():
    script = (REPO / ".ci" / "run").read_text()
    assert script.startswith("#!/usr/bin/env bash") and "set -euo pipefail" in script
    assert re.search(r"^make test\b", script, re.M)
    assert 'grep -q "pytest exit 5"' in script  # make test prints "(pytest exit N)" for a failed suite
    assert "(pytest exit $$rc)" in (REPO / "Makefile").read_text()


def test_every_distribution_shares_the_core_version_and_pins_a_compatible_core():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    core = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert core["version"] == __version__
    major, minor = (int(p) for p in __version__.split(".")[:2])
    for path in sorted((REPO / "plugins").glob("*/pyproject.toml")):
        project = tomllib.loads(path.read_text())["project"]
        assert project["version"] == __version__, path
        pins = [d for d in project["dependencies"] if re.match(r"ssl-core\b", d)]
        assert pins == [f"ssl-core>={__version__},<{major}.{minor + 1}"], (path, pins)
        eps = tomllib.loads(path.read_text())["project"]["entry-points"]["ssl_core.plugins"]
        assert len(eps) == 1, path
