"""``ssl_core.testing.wheelcheck``: package data left out of a wheel, missing LICENSE, build litter."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from ssl_core.testing.wheelcheck import check_sdist, check_wheel, main


def _project(root: Path) -> Path:
    pkg = root / "src" / "ssl_plugin_foo"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / "sample.csv").write_text("a,b\n1,2\n")
    (pkg / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"")
    return root


def _wheel(path: Path, names: list[str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name in names:
            zf.writestr(name, "x")
    return path


def _sdist(path: Path, names: list[str]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for name in names:
            info = tarfile.TarInfo(f"ssl_plugin_foo-0.1.0/{name}")
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    return path


GOOD = [
    "ssl_plugin_foo/__init__.py",
    "ssl_plugin_foo/data/sample.csv",
    "ssl_plugin_foo-0.1.0.dist-info/METADATA",
    "ssl_plugin_foo-0.1.0.dist-info/licenses/LICENSE",
]


def test_a_complete_wheel_passes(tmp_path):
    project = _project(tmp_path / "proj")
    assert check_wheel(project, _wheel(tmp_path / "w.whl", GOOD)) == []
    assert main([str(project), str(tmp_path / "w.whl")]) == 0


def test_left_out_data_missing_license_and_litter_are_reported(tmp_path, capsys):
    project = _project(tmp_path / "proj")
    names = [GOOD[0], GOOD[2], "ssl_plugin_foo/__pycache__/a.pyc", "ssl_plugin_foo.egg-info/PKG-INFO"]
    wheel = _wheel(tmp_path / "w.whl", names)
    problems = check_wheel(project, wheel)
    assert len(problems) == 4
    assert any(p.startswith("ssl_plugin_foo/data/sample.csv: in the source tree") for p in problems)
    assert any("no LICENSE" in p for p in problems)
    assert sum("build litter" in p for p in problems) == 2
    assert main([str(project), str(wheel)]) == 1
    assert "sample.csv" in capsys.readouterr().out


def test_sdist_needs_license_and_pkg_info_and_no_litter(tmp_path):
    egg = "src/ssl_plugin_foo.egg-info/SOURCES.txt"  # setuptools' own: fine
    good = _sdist(tmp_path / "a.tar.gz", ["PKG-INFO", "LICENSE", "pyproject.toml", egg])
    assert check_sdist(good) == []
    bad = _sdist(
        tmp_path / "b.tar.gz",
        ["PKG-INFO", "src/ssl_plugin_foo/__pycache__/m.pyc", "src/ssl_plugin_foo/tpl/x.egg-info/PKG-INFO"],
    )
    problems = check_sdist(bad)
    assert problems[0] == "b.tar.gz: no LICENSE at its root" and len(problems) == 3


def test_usage_error(capsys):
    assert main(["only-one"]) == 2 and "usage" in capsys.readouterr().err
