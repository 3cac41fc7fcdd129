"""Every third-party import is declared by the distribution that makes it, and nothing declared is unused.

Each distribution's packages are walked with ``ast``. An import at module level must be a runtime
dependency; one inside a function may come from an extra instead; one guarded by
``except ImportError`` (an optional speed-up with a fallback) need not be declared. Every runtime
dependency and every requirement of an extra (except the tool extras ``test`` and ``dev``) must be
imported somewhere.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from _distributions import Distribution, distributions
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

DISTS = distributions()
# Import names whose distribution is spelled differently.
DISTRIBUTION_OF = {
    "yaml": "pyyaml",
    "sklearn": "scikit-learn",
    "torch_geometric": "torch-geometric",
    "mlflow": "mlflow-skinny",
    "PIL": "pillow",
    "openjpeg": "pylibjpeg-openjpeg",
}
# Submodules that need another distribution than their top-level package.
EXTRA_DISTRIBUTION_OF = {"torch.utils.tensorboard": "tensorboard"}
# Modules loaded only through an extra's tool may import that extra at module level:
# ``ssl_core.testing`` is the pytest plugin (entry point ``pytest11``), loaded by pytest only.
EXTRA_ONLY_MODULES = {"ssl_core.testing": "test"}
TOOL_EXTRAS = {"test", "dev"}


TOP, LAZY, GUARDED = "top", "lazy", "guarded"


@dataclass
class Imports:
    """Distributions imported at module level (``required``), unguarded anywhere (``needed``), at all (``used``)."""

    required: dict[str, set[str]] = field(default_factory=dict)  # distribution -> importing files
    needed: set[str] = field(default_factory=set)
    used: set[str] = field(default_factory=set)


def _distribution_names(module: str) -> list[str]:
    names = [canonicalize_name(DISTRIBUTION_OF.get(module.split(".")[0], module.split(".")[0]))]
    names += [d for prefix, d in EXTRA_DISTRIBUTION_OF.items() if (module + ".").startswith(prefix + ".")]
    return names


def _catches_import_error(node: ast.Try) -> bool:
    caught = [h.type for h in node.handlers]
    return any(isinstance(t, ast.Name) and t.id in {"ImportError", "ModuleNotFoundError"} for t in caught)


def _walk(node: ast.AST, kind: str, found: list[tuple[str, str]]) -> None:
    """Collect ``(module, kind)`` for every absolute import below ``node`` (kind: TOP, LAZY, GUARDED)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import):
            found += [(alias.name, kind) for alias in child.names]
        elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
            found.append((child.module, kind))
        elif isinstance(child, ast.Try) and _catches_import_error(child):
            for part in child.body:
                _walk(ast.Module(body=[part], type_ignores=[]), GUARDED, found)
            for rest in (*child.handlers, *child.orelse, *child.finalbody):
                _walk(rest, kind, found)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            _walk(child, LAZY if kind == TOP else kind, found)
        else:
            _walk(child, kind, found)


def _module_name(dist: Distribution, path: Path) -> str:
    base = next(p.parent for p in dist.packages if path.is_relative_to(p))
    return ".".join(path.relative_to(base).with_suffix("").parts)


def collect_imports(dist: Distribution) -> Imports:
    own = {canonicalize_name(p.name) for p in dist.packages}
    result = Imports()
    for path in dist.sources():
        found: list[tuple[str, str]] = []
        _walk(ast.parse(path.read_text(encoding="utf-8")), TOP, found)
        module = _module_name(dist, path)
        exempt = any(module == m or module.startswith(m + ".") for m in EXTRA_ONLY_MODULES)
        for name, kind in found:
            if name.split(".")[0] in sys.stdlib_module_names:
                continue
            for dist_name in _distribution_names(name):
                if dist_name in own:
                    continue
                result.used.add(dist_name)
                if kind != GUARDED:
                    result.needed.add(dist_name)
                if kind == TOP and not exempt:
                    result.required.setdefault(dist_name, set()).add(path.name)
    return result


def _names(requirements: list[str]) -> set[str]:
    return {canonicalize_name(Requirement(r).name) for r in requirements}


def _declared(dist: Distribution) -> tuple[set[str], dict[str, set[str]]]:
    extras = dist.project.get("optional-dependencies", {})
    return _names(dist.project.get("dependencies", [])), {k: _names(v) for k, v in extras.items()}


def test_the_walk_separates_module_level_from_optional_imports():
    src = "import a.b\nfrom c import d\ntry:\n    import e\nexcept ImportError:\n    e = None\ndef f():\n    import g\n"
    found: list[tuple[str, str]] = []
    _walk(ast.parse(src), TOP, found)
    assert found == [("a.b", TOP), ("c", TOP), ("e", GUARDED), ("g", LAZY)]
    assert _distribution_names("torch.utils.tensorboard") == ["torch", "tensorboard"]
    assert _distribution_names("sklearn.ensemble") == ["scikit-learn"]


@pytest.mark.parametrize("dist", DISTS, ids=[d.name for d in DISTS])
def test_imports_match_declared_requirements(dist: Distribution):
    imports = collect_imports(dist)
    runtime, extras = _declared(dist)
    any_extra = set().union(*extras.values()) if extras else set()
    extra_only = {d: files for d, files in imports.required.items() if d not in runtime}
    assert extra_only == {}, f"{dist.name}: imported at module level but not in dependencies"
    undeclared = imports.needed - runtime - any_extra
    assert undeclared == set(), f"{dist.name}: imported but declared nowhere"
    unused = runtime - imports.used
    assert unused == set(), f"{dist.name}: dependencies that no module imports"
    for extra, names in extras.items():
        if extra not in TOOL_EXTRAS:
            assert names <= imports.used, f"{dist.name}[{extra}]: {sorted(names - imports.used)} unused"
