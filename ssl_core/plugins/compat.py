"""Compatibility checks made before a plugin is imported: the ``ssl-core`` requirement of its dist.

Uses ``packaging`` when it is importable (it is not a dependency of ssl-core); otherwise a small
fallback understands ``==, !=, >=, <=, >, <, ~=`` on release numbers, which covers the pins
plugins use (``ssl-core>=0.1.0,<0.2``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")
_CLAUSE = re.compile(r"^\s*(~=|==|!=|>=|<=|>|<)\s*([0-9][0-9A-Za-z.*+!-]*)\s*$")


def normalize_name(name: str) -> str:
    """PEP 503 normalised distribution name (``SSL_Core`` -> ``ssl-core``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _release(version: str) -> tuple[int, ...]:
    match = re.match(r"^\s*v?(\d+(?:\.\d+)*)", version)
    if not match:
        raise ValueError(f"cannot parse version {version!r}")
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _fallback_clause(op: str, spec: str, version: str) -> bool:
    if spec.endswith(".*"):
        prefix = _release(spec[:-2])
        matches = _release(version + ".0" * len(prefix))[: len(prefix)] == prefix
        return matches if op == "==" else not matches
    have, want = _release(version), _release(spec)
    if op == "~=":
        upper = list(_release(spec.rsplit(".", 1)[0])) if "." in spec else list(want)
        upper[-1] += 1
        return have >= want and have < tuple(upper)
    return {
        "==": have == want,
        "!=": have != want,
        ">=": have >= want,
        "<=": have <= want,
        ">": have > want,
        "<": have < want,
    }[op]


def specifier_contains(specifier: str, version: str) -> bool:
    """Whether ``version`` satisfies ``specifier`` (e.g. ``">=0.1.0,<0.2"``); empty means any."""
    specifier = specifier.strip().strip("()")
    if not specifier:
        return True
    try:
        from packaging.specifiers import SpecifierSet
    except ImportError:  # packaging is optional: ssl-core does not depend on it
        return fallback_contains(specifier, version)
    return SpecifierSet(specifier).contains(version, prereleases=True)


def fallback_contains(specifier: str, version: str) -> bool:
    """The ``packaging``-free implementation of :func:`specifier_contains`."""
    for clause in filter(None, (c.strip() for c in specifier.split(","))):
        match = _CLAUSE.match(clause)
        if not match:
            raise ValueError(f"cannot parse version specifier {clause!r}")
        if not _fallback_clause(match.group(1), match.group(2), version):
            return False
    return True


def parse_requirement(line: str) -> tuple[str, str, str]:
    """``"ssl-core>=0.1,<0.2; python_version>'3'"`` -> ``("ssl-core", ">=0.1,<0.2", "python_version>'3'")``."""
    body, _, marker = line.partition(";")
    match = _NAME.match(body)
    if not match:
        raise ValueError(f"cannot parse requirement {line!r}")
    return normalize_name(match.group(1)), match.group(3).strip(), marker.strip()


def core_requirement_problem(requires: Iterable[str] | None, core_version: str) -> str | None:
    """Why a dist's ``Requires-Dist`` excludes this ssl-core version, or ``None`` if it is compatible.

    Requirements behind an ``extra ==`` marker are ignored (they are optional).
    """
    for line in requires or ():
        try:
            name, spec, marker = parse_requirement(line)
        except ValueError:
            continue
        if name != "ssl-core" or "extra" in marker:
            continue
        try:
            ok = specifier_contains(spec, core_version)
        except ValueError as exc:
            return f"cannot check requirement {line!r}: {exc}"
        if not ok:
            return f"requires ssl-core{spec} but ssl-core {core_version} is installed"
    return None
