"""Check a built wheel and sdist before publishing: package data, LICENSE, no build litter.

A plugin's own tests import it from the source tree, where every data file is present; its wheel
contains only the files ``pyproject.toml`` declares, so a forgotten ``[tool.setuptools.package-data]``
entry passes every test and then fails at ``pretrain`` after ``pip install``. This module compares
the two::

    python -m ssl_core.testing.wheelcheck PROJECT_DIR dist/ssl_plugin_foo-0.1.0-py3-none-any.whl \\
        dist/ssl_plugin_foo-0.1.0.tar.gz

prints one line per problem and exits with status 1 if there is any. Standard library only.
"""

from __future__ import annotations

import sys
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

__all__ = ["check_sdist", "check_wheel", "main"]

# Never part of a distribution: caches and what building or testing in place leaves behind.
LITTER = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "build", "dist"}
LITTER_SUFFIXES = (".pyc", ".pyo", ".egg-info")


def _is_litter(parts: tuple[str, ...]) -> bool:
    return any(p in LITTER or p.endswith(LITTER_SUFFIXES) for p in parts)


def _package_source(project: Path, package: str) -> Path | None:
    for candidate in (project / "src" / package, project / package):
        if (candidate / "__init__.py").is_file():
            return candidate
    return None


def _missing_package_files(project: Path, names: set[str]) -> list[str]:
    """Files under each shipped package's source folder that the wheel does not contain."""
    packages = {n.split("/", 1)[0] for n in names if "/" in n and ".dist-info/" not in n}
    problems = []
    for package in sorted(packages):
        source = _package_source(project, package)
        if source is None:
            continue
        for path in sorted(p for p in source.rglob("*") if p.is_file()):
            rel = path.relative_to(source.parent)
            if not _is_litter(rel.parts) and rel.as_posix() not in names:
                problems.append(
                    f"{rel.as_posix()}: in the source tree but not in the wheel "
                    "(declare it in [tool.setuptools.package-data])"
                )
    return problems


def check_wheel(project: str | Path, wheel: str | Path) -> list[str]:
    """Problems of ``wheel`` built from ``project`` (empty when fit to publish).

    Reports: package files present in the source tree but left out of the wheel, a missing
    ``LICENSE`` under ``*.dist-info/licenses/``, and caches or ``*.egg-info`` inside the wheel.
    """
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    problems = [
        f"{n}: build litter inside the wheel" for n in sorted(names) if _is_litter(PurePosixPath(n).parts)
    ]
    if not any(".dist-info/licenses/" in n and n.endswith("LICENSE") for n in names):
        problems.append(f"{Path(wheel).name}: no LICENSE under *.dist-info/licenses/ (set license-files)")
    return problems + _missing_package_files(Path(project), names)


def _sdist_litter(rel: str) -> bool:
    """Litter in an sdist; setuptools' own ``<name>.egg-info/`` at the root or under ``src/`` is not."""
    parts = PurePosixPath(rel).parts
    if len(parts) >= 2 and parts[-2].endswith(".egg-info") and parts[:-2] in ((), ("src",)):
        return False
    return _is_litter(parts)


def check_sdist(sdist: str | Path) -> list[str]:
    """Problems of the source distribution ``sdist``: no LICENSE or PKG-INFO at its root, litter."""
    with tarfile.open(sdist) as tf:
        names = [PurePosixPath(m.name).parts for m in tf.getmembers() if m.isfile()]
    rel = sorted(PurePosixPath(*parts[1:]).as_posix() for parts in names if len(parts) > 1)
    problems = [f"{Path(sdist).name}: no {f} at its root" for f in ("LICENSE", "PKG-INFO") if f not in rel]
    return problems + [f"{n}: build litter inside the sdist" for n in rel if _sdist_litter(n)]


def main(argv: list[str] | None = None) -> int:
    """``python -m ssl_core.testing.wheelcheck PROJECT_DIR WHEEL [SDIST]``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (2, 3):
        print("usage: python -m ssl_core.testing.wheelcheck PROJECT_DIR WHEEL [SDIST]", file=sys.stderr)
        return 2
    problems = check_wheel(args[0], args[1]) + (check_sdist(args[2]) if len(args) == 3 else [])
    for line in problems:
        print(line)
    print(f"{args[1]}: {'ok' if not problems else f'{len(problems)} problem(s)'}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
