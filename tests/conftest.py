"""Shared fixtures of the core test suite: fake installed distributions for plugin-loading tests."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FakeDist = Callable[..., Path]

sys.path.insert(0, str(Path(__file__).parent))  # helper modules of the suite (toy_domain)


@pytest.fixture
def fake_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDist]:
    """``make(name, files, *, entry_points=..., requires=...)``: a dist-info + modules on ``sys.path``.

    ``files`` maps relative paths to source text. The directory is prepended to ``sys.path`` so
    ``importlib.metadata`` sees the distribution and its entry points; modules it creates are
    dropped from ``sys.modules`` at teardown.
    """
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    created: list[str] = []

    def make(
        name: str,
        files: dict[str, str],
        *,
        entry_points: dict[str, str],
        requires: tuple[str, ...] = ("ssl-core>=0.1.0,<0.2",),
        version: str = "0.1.0",
    ) -> Path:
        for rel, text in files.items():
            path = site / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
            created.append(rel.split("/")[0].removesuffix(".py"))
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        meta = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
        meta += [f"Requires-Dist: {r}" for r in requires]
        (info / "METADATA").write_text("\n".join(meta) + "\n")
        eps = "\n".join(f"{k} = {v}" for k, v in entry_points.items())
        (info / "entry_points.txt").write_text(f"[ssl_core.plugins]\n{eps}\n")
        return site

    yield make
    for mod in list(sys.modules):
        if mod.split(".")[0] in created:
            del sys.modules[mod]


@pytest.fixture
def toy_pm(ssl_pm: object) -> Iterator[object]:
    """The isolated plugin manager with the toy lifecycle domain (``tests/toy_domain.py``) registered."""
    import toy_domain

    with ssl_pm.registered(toy_domain, "toy"):  # type: ignore[attr-defined]
        yield ssl_pm
