"""The ssl-core requirement check, and the packaging-free fallback against `packaging` as reference."""

from __future__ import annotations

import itertools
import sys

import pytest

from ssl_core.plugins.compat import (
    core_requirement_problem,
    fallback_contains,
    parse_requirement,
    specifier_contains,
)

packaging_specifiers = pytest.importorskip("packaging.specifiers")

SPECS = [
    ">=0.1.0,<0.2",
    "==0.1.0",
    "!=0.1.0",
    "~=0.1.0",
    "~=0.1",
    ">0.1",
    "<=0.1",
    "==0.1.*",
    "!=0.2.*",
    ">=1.0",
    "",
]
VERSIONS = ["0.0.9", "0.1", "0.1.0", "0.1.5", "0.2.0", "0.10.0", "1.0.0", "2.3"]


@pytest.mark.parametrize(("spec", "version"), list(itertools.product(SPECS, VERSIONS)))
def test_fallback_matches_packaging(spec, version):
    expected = packaging_specifiers.SpecifierSet(spec).contains(version, prereleases=True)
    assert fallback_contains(spec, version) is expected


def test_parse_requirement():
    assert parse_requirement("SSL_Core[plot] >=0.1,<0.2 ; python_version >= '3.10'") == (
        "ssl-core",
        ">=0.1,<0.2",
        "python_version >= '3.10'",
    )


def test_core_requirement_problem():
    assert core_requirement_problem(["torch>=2", "ssl-core>=0.1.0,<0.2"], "0.1.0") is None
    assert "requires ssl-core>=0.2" in core_requirement_problem(["ssl-core>=0.2"], "0.1.0")
    assert core_requirement_problem(['ssl-core>=9; extra == "dev"'], "0.1.0") is None  # optional extra
    assert core_requirement_problem(None, "0.1.0") is None


def test_specifier_contains_falls_back_without_packaging(monkeypatch):
    monkeypatch.setitem(sys.modules, "packaging.specifiers", None)  # import now raises ImportError
    with pytest.raises(ImportError):
        import packaging.specifiers  # noqa: F401
    assert specifier_contains(">=0.1.0,<0.2", "0.1.3") and not specifier_contains(">=0.1.0,<0.2", "0.2.0")
    with pytest.raises(ValueError, match="cannot parse version specifier"):
        specifier_contains("=>0.1", "0.1")
