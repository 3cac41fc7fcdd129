"""docs/api.md, the public modules' ``__all__`` and the import-linter contract for plugins agree."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(ssl_core[\w.]*)` \|[^|]*\| (.*) \|$")


def documented() -> dict[str, set[str]]:
    """``{module: names}`` from the table of docs/api.md."""
    rows = [ROW.match(line) for line in (REPO / "docs" / "api.md").read_text().splitlines()]
    return {m.group(1): set(re.findall(r"`([^`]+)`", m.group(2))) for m in rows if m}


def core_modules() -> set[str]:
    """Every module of the ssl_core package, from the source tree (folders without __init__ are not packages)."""
    found = set()
    for path in (REPO / "ssl_core").rglob("*.py"):
        parts = path.relative_to(REPO).with_suffix("").parts
        if all((REPO.joinpath(*parts[:i]) / "__init__.py").is_file() for i in range(1, len(parts))):
            found.add(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return found


def _matches(pattern: str, module: str) -> bool:
    """import-linter's reading of a forbidden module (as a package; ``*`` is one name)."""
    regex = re.escape(pattern).replace(r"\*", r"[^.]+")
    return re.fullmatch(rf"{regex}(\..+)?", module) is not None


def test_the_table_lists_public_modules_with_their_all():
    table = documented()
    assert len(table) >= 20 and "ssl_core" in table and "ssl_core.plugins" in table
    for name, names in table.items():
        module = importlib.import_module(name)
        assert "__all__" in vars(module), f"{name} has no explicit __all__"
        assert set(module.__all__) == names, f"docs/api.md and {name}.__all__ differ"
        assert len(module.__all__) == len(names), f"{name}.__all__ repeats a name"
        for attr in module.__all__:
            assert getattr(module, attr, None) is not None or attr in vars(module), f"{name}.{attr}"


def test_plugins_contract_forbids_exactly_the_internal_modules():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (contract,) = [c for c in contracts if c["id"] == "plugins-use-the-public-api"]
    forbidden, public = contract["forbidden_modules"], set(documented())
    modules = core_modules()
    assert public <= modules, f"docs/api.md lists modules that do not exist: {public - modules}"
    for module in sorted(modules):
        hit = [p for p in forbidden if _matches(p, module)]
        if module in public:
            assert not hit, f"public module {module} is forbidden to plugins by {hit}"
        else:
            assert hit, f"internal module {module} is neither in docs/api.md nor forbidden to plugins"


def test_matching_follows_import_linter():
    assert _matches("ssl_core.nn.*", "ssl_core.nn.mlp") and _matches("ssl_core.nn.*", "ssl_core.nn.a.b")
    assert not _matches("ssl_core.nn.*", "ssl_core.nn") and not _matches("ssl_core.cli.run", "ssl_core.cli")
    assert _matches("ssl_core.builtin", "ssl_core.builtin") and not _matches(
        "ssl_core.data", "ssl_core.database"
    )
