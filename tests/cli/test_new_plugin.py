"""``ssl new-plugin``: rendering, and (slow) the generated plugin installs, is listed and passes its tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssl_core.cli.scaffold import render_plugin, template_root
from ssl_core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def test_repo_template_is_the_packaged_template():
    """``plugins/_template`` is a link to the one copy shipped as package data."""
    link = REPO / "plugins" / "_template"
    assert link.is_symlink() and link.resolve() == Path(str(template_root())).resolve()


def test_render_substitutes_every_name(tmp_path):
    dest = tmp_path / "ssl-plugin-foo_bar"
    files = render_plugin("foo_bar", dest)
    rel = sorted(p.relative_to(dest).as_posix() for p in files)
    assert "src/ssl_plugin_foo_bar/plugin.py" in rel and "tests/test_foo_bar_plugin.py" in rel
    assert {"pyproject.toml", "README.md"} <= set(rel)
    for path in files:
        text = path.read_text()
        assert "template" not in text.lower(), path
    pyproject = (dest / "pyproject.toml").read_text()
    assert 'name = "ssl-plugin-foo_bar"' in pyproject and 'foo_bar = "ssl_plugin_foo_bar.plugin"' in pyproject
    assert "class FooBarEncoder" in (dest / "src/ssl_plugin_foo_bar/encoders.py").read_text()
    assert not list(tmp_path.glob(".ssl-plugin-foo_bar.*"))  # no staging directory left


@pytest.mark.parametrize("name", ["Foo", "1abc", "foo-bar", "template", ""])
def test_render_rejects_bad_names(tmp_path, name):
    with pytest.raises(ConfigError, match="NAME"):
        render_plugin(name, tmp_path / "x")


def test_render_refuses_non_empty_dir(tmp_path, cli_runner, ssl_pm):
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(ConfigError, match="not empty"):
        render_plugin("foo", tmp_path)
    result = cli_runner.ssl("new-plugin", "foo", "-o", str(tmp_path))
    assert result.exit_code == 2 and "exists and is not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def _run(*cmd: str, cwd: Path | None = None, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CORE_")}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_generated_plugin_installs_is_listed_and_passes_its_tests(tmp_path):
    name = f"gen{os.getpid()}"
    dest = tmp_path / f"ssl-plugin-{name}"
    proc = _run(sys.executable, "-m", "ssl_core.cli", "new-plugin", name, "-o", str(dest))
    assert proc.returncode == 0, proc.stderr
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    proc = _run(*pip, "install", "--no-deps", "--no-build-isolation", "--no-index", str(dest))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    try:
        proc = _run(sys.executable, "-m", "ssl_core.cli", "plugins", "--json")
        assert proc.returncode == 0, proc.stderr
        listed = {p["name"]: p for p in json.loads(proc.stdout)["plugins"]}
        assert listed[name]["distribution"] == f"ssl-plugin-{name}" and listed[name]["version"] == "0.1.0"
        proc = _run(
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--import-mode=importlib",
            "tests",
            cwd=dest,
        )
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
        assert " passed" in proc.stdout and "failed" not in proc.stdout
    finally:
        _run(*pip, "uninstall", "-y", f"ssl-plugin-{name}")
