"""Every distribution in the repository: its folder, parsed ``pyproject.toml`` and package folders."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Distribution:
    """One buildable distribution: ssl-core (the repository root), a plugin, or the plugin template."""

    root: Path

    @cached_property
    def pyproject(self) -> dict[str, Any]:
        return tomllib.loads((self.root / "pyproject.toml").read_text(encoding="utf-8"))

    @property
    def project(self) -> dict[str, Any]:
        return self.pyproject["project"]

    @property
    def name(self) -> str:
        return str(self.project["name"])

    @property
    def packages(self) -> list[Path]:
        """The import packages this distribution ships (the template's copy inside ssl-core excluded)."""
        if self.root == REPO:
            return [REPO / "ssl_core"]
        return sorted(p.parent for p in (self.root / "src").glob("*/__init__.py"))

    def sources(self) -> list[Path]:
        """Every ``.py`` file of the packages, without the plugin template that ssl-core ships as data."""
        files = [f for pkg in self.packages for f in sorted(pkg.rglob("*.py"))]
        return [f for f in files if "templates" not in f.relative_to(self.root).parts]


def distributions() -> list[Distribution]:
    """ssl-core, then every folder under ``plugins/`` with a ``pyproject.toml`` (the template included)."""
    plugins = sorted(p.parent for p in (REPO / "plugins").glob("*/pyproject.toml"))
    return [Distribution(REPO), *(Distribution(p) for p in plugins)]
