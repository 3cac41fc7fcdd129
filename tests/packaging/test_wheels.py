"""Wheels and sdists build, and a fresh venv with ssl-core + plugin wheels lists every plugin.

Slow (about 1-3 minutes): builds ssl-core, the plugin template and every ``plugins/ssl-plugin-*``
from copies of their sources (so no ``*.egg-info`` lands in the working tree), creates a fresh venv,
installs torch, ssl-core and the template with ``-c constraints.txt`` (the domain plugins with
``--no-deps``: listing must not need their domain libraries) and runs ``ssl plugins --json`` there,
then the ``ssl --help`` example (``ssl init core``, ``ssl train``, ``ssl eval``) without ``SSL_DATA_DIR``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "*.egg-info", "build", "dist", ".pytest_cache", "runs"
)


def _run(*cmd: str | Path, cwd: Path | None = None, timeout: int = 300) -> str:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SSL_CORE_", "SSL_DATA_DIR", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    proc = subprocess.run(
        [str(c) for c in cmd], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env
    )
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc.stdout


def _build(src: Path, work: Path, out: Path) -> None:
    copy = src if src.is_relative_to(work) else work / src.name.lstrip("_")
    if copy != src:
        shutil.copytree(src, copy, ignore=IGNORE)
    _run(sys.executable, "-m", "build", "--no-isolation", "--skip-dependency-check", "--outdir", out, copy)


def _core_sources(work: Path) -> Path:
    core = work / "ssl-core-src"
    core.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO / name).exists():
            shutil.copy2(REPO / name, core / name)
    shutil.copytree(REPO / "ssl_core", core / "ssl_core", ignore=IGNORE)
    return core


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_fresh_venv_from_wheels_lists_every_plugin(tmp_path):
    dist, work = tmp_path / "dist", tmp_path / "work"
    work.mkdir()
    plugins = sorted(p for p in (REPO / "plugins").glob("ssl-plugin-*") if (p / "pyproject.toml").is_file())
    _build(_core_sources(work), work, dist)
    for src in [REPO / "plugins" / "_template", *plugins]:
        _build(src, work, dist)
    wheels = sorted(dist.glob("*.whl"))
    assert len(list(dist.glob("*.tar.gz"))) == len(wheels) == 2 + len(plugins)

    core_wheel = next(w for w in wheels if w.name.startswith("ssl_core-"))
    names = zipfile.ZipFile(core_wheel).namelist()
    assert any(n.startswith("ssl_core/templates/plugin/src/ssl_plugin_template/") for n in names)
    assert "ssl_core/configs/core.yaml" in names and "ssl_core/py.typed" in names
    assert not any(n.startswith(("plugins/", "tests/")) for n in names)

    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv)
    py = venv / "bin" / "python"
    own = [w for w in wheels if w.name.startswith(("ssl_core-", "ssl_plugin_template-"))]
    _run(py, "-m", "pip", "install", "-q", "-c", REPO / "constraints.txt", "torch", *own, timeout=600)
    # Domain plugins without their heavy domain libraries: listing must only need their light plugin module.
    others = [w for w in wheels if w not in own]
    if others:
        _run(py, "-m", "pip", "install", "-q", "--no-deps", *others, timeout=600)
    payload = json.loads(_run(venv / "bin" / "ssl", "plugins", "--json", cwd=tmp_path))
    listed = {p["name"]: p["distribution"] for p in payload["plugins"]}
    expected = {"core": "ssl-core", "template": "ssl-plugin-template"}
    for src in plugins:
        expected[src.name.removeprefix("ssl-plugin-")] = src.name
    assert listed == expected and payload["errors"] == []
    help_text = _run(venv / "bin" / "ssl-template", "--help", cwd=tmp_path)
    assert "Usage: ssl-template" in help_text
    # The example of `ssl --help` works from the wheels with no data directory (SSL_DATA_DIR unset).
    ssl = venv / "bin" / "ssl"
    _run(ssl, "init", "core", "-o", "run.yaml", cwd=tmp_path)
    out = _run(ssl, "train", "run.yaml", "--run-dir", "run", "--device", "cpu", "--set", "train.steps=20",
               "--set", "train.progress=false", cwd=tmp_path)  # fmt: skip
    assert "finished step 20" in out
    assert "random init" in _run(ssl, "eval", "run", cwd=tmp_path)
