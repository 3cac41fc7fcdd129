"""Metadata fit for a package index: classifiers, licence, URLs, authors, README links, extras."""

from __future__ import annotations

import re

import pytest
import trove_classifiers
from _distributions import REPO, Distribution, distributions

DISTS = distributions()
IDS = [d.name for d in DISTS]
# Markdown links and images, HTML src/href, and reference-style link definitions.
LINKS = re.compile(r"\]\(\s*<?([^)\s>]+)|(?:src|href)=\"([^\"]+)\"|^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def invalid_classifiers(classifiers: list[str]) -> list[str]:
    """The classifiers a package index rejects: unknown or deprecated in ``trove-classifiers``."""
    return [
        c
        for c in classifiers
        if c not in trove_classifiers.classifiers or c in trove_classifiers.deprecated_classifiers
    ]


def dead_links_on_an_index_page(markdown: str) -> list[str]:
    """Links that break once the README is shown on an index page (anything not absolute)."""
    targets = [next(g for g in groups if g) for groups in LINKS.findall(markdown)]
    return [t for t in targets if not re.match(r"(https?://|mailto:|#)", t)]


def test_the_classifier_check_rejects_invented_and_deprecated_classifiers():
    deprecated = next(iter(trove_classifiers.deprecated_classifiers))
    assert invalid_classifiers(["Framework :: ssl-core", "Typing :: Typed", deprecated]) == [
        "Framework :: ssl-core",
        deprecated,
    ]


def test_the_link_check_finds_relative_links():
    text = '[a](docs/x.md) [b](https://x.org/y) ![c](img.png) <img src="p.png"> [d](#top)\n[e]: ../f.md\n'
    assert dead_links_on_an_index_page(text) == ["docs/x.md", "img.png", "p.png", "../f.md"]


def test_the_repository_holds_every_distribution():
    names = {d.name for d in DISTS}
    assert {"ssl-core", "ssl-plugin-template", "ssl-plugin-speech", "ssl-plugin-tabular"} <= names


@pytest.mark.parametrize("dist", DISTS, ids=IDS)
def test_classifiers_are_valid(dist: Distribution):
    classifiers = dist.project.get("classifiers", [])
    assert classifiers and invalid_classifiers(classifiers) == []
    assert not [c for c in classifiers if c.startswith("License ::")]  # the licence expression says it


@pytest.mark.parametrize("dist", DISTS, ids=IDS)
def test_license_expression_and_file(dist: Distribution):
    assert dist.project["license"] == "Apache-2.0" and dist.project["license-files"] == ["LICENSE"]
    text = (dist.root / "LICENSE").read_bytes()
    assert text == (REPO / "LICENSE").read_bytes() and b"Apache License" in text and b"Version 2.0" in text
    requires = dist.pyproject["build-system"]["requires"]
    assert requires == ["setuptools>=77"]  # PEP 639 licence expression and license-files


@pytest.mark.parametrize("dist", DISTS, ids=IDS)
def test_authors_urls_and_python(dist: Distribution):
    assert dist.project["authors"] and all(a.get("name") for a in dist.project["authors"])
    urls = dist.project["urls"]
    assert {"Homepage", "Source", "Issues"} <= set(urls)
    assert all(u.startswith("https://") for u in urls.values())
    assert dist.project["requires-python"] == ">=3.10"


@pytest.mark.parametrize("dist", DISTS, ids=IDS)
def test_readme_has_no_link_that_breaks_on_an_index_page(dist: Distribution):
    readme = dist.root / dist.project["readme"]
    assert dead_links_on_an_index_page(readme.read_text(encoding="utf-8")) == []


def test_every_distribution_has_the_same_test_extra():
    extras = {d.name: d.project.get("optional-dependencies", {}).get("test") for d in DISTS}
    assert len({tuple(v) if v else None for v in extras.values()}) == 1, extras
    assert extras["ssl-core"] == ["pytest>=8", "pytest-timeout>=2.2", "hypothesis>=6.100"]


@pytest.mark.parametrize("dist", DISTS, ids=IDS)
def test_absolute_links_into_this_repository_resolve_in_the_checkout(dist: Distribution):
    readme = (dist.root / dist.project["readme"]).read_text(encoding="utf-8")
    home = dist.project["urls"]["Source"].rstrip("/")
    own = re.findall(rf"{re.escape(home)}/(?:blob|tree)/main/([^)#\s\"]+)", readme)
    missing = [path for path in own if not (REPO / path).exists()]
    assert missing == []


def test_release_workflow_builds_checks_and_uploads_with_trusted_publishing():
    import yaml

    flow = yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text())
    build, publish = flow["jobs"]["build"], flow["jobs"]["publish"]
    assert any("make smoke" in step.get("run", "") for step in build["steps"])  # build + twine + smoke
    assert "twine check --strict" in (REPO / "Makefile").read_text()
    assert publish["needs"] == "build" and publish["permissions"] == {"id-token": "write"}
    assert any(step.get("uses", "").startswith("pypa/gh-action-pypi-publish@") for step in publish["steps"])
    assert flow["permissions"] == {"contents": "read"}
    guide = (REPO / "docs" / "plugin-authoring.md").read_text()
    assert "release.yml" in guide and re.search(r"has not been\s+run yet", guide)
