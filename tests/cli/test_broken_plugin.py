"""A plugin whose module raises on import: reported by ``ssl plugins``, others work, fatal when strict."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

BROKEN = "raise ImportError('this plugin is broken on purpose')\n"


@pytest.fixture
def site(fake_dist):
    return fake_dist(
        "ssl-plugin-broken",
        {"ssl_plugin_broken/__init__.py": "", "ssl_plugin_broken/plugin.py": BROKEN},
        entry_points={"broken": "ssl_plugin_broken.plugin"},
        version="0.1.0",
    )


def _ssl(site, *args, strict=False):
    env = {**os.environ, "PYTHONPATH": str(site), "SSL_CORE_LOAD_PLUGINS": "broken"}
    env.pop("SSL_CORE_STRICT_PLUGINS", None)
    if strict:
        env["SSL_CORE_STRICT_PLUGINS"] = "1"
    code = "import sys; from ssl_core.cli import main; main(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env
    )


def test_reported_by_plugins(site):
    proc = _ssl(site, "plugins", "--json")
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert [p["name"] for p in payload["plugins"]] == ["core"]
    (err,) = payload["errors"]
    assert err["entry_point"] == "broken = ssl_plugin_broken.plugin"
    assert (err["distribution"], err["version"]) == ("ssl-plugin-broken", "0.1.0")
    assert "ImportError: this plugin is broken on purpose" in err["error"]
    table = _ssl(site, "plugins")
    assert "1 plugin(s) failed to load" in table.stdout and "ssl-plugin-broken" in table.stdout


def test_other_commands_still_work(site):
    proc = _ssl(site, "init", "core", "-o", "-")
    assert proc.returncode == 0, proc.stderr
    assert "recipe: core/" in proc.stdout
    assert "warning: 1 plugin(s) failed to load and were skipped: broken (ssl-plugin-broken)" in proc.stderr
    assert _ssl(site, "--help").returncode == 0
    assert _ssl(site, "env").returncode == 0


def test_fatal_in_strict_mode(site):
    for args in (["plugins"], ["--help"], ["init", "core", "-o", "-"]):
        proc = _ssl(site, *args, strict=True)
        assert proc.returncode == 2, (args, proc.stdout, proc.stderr)
        assert "Error: plugin broken = ssl_plugin_broken.plugin (ssl-plugin-broken 0.1.0)" in proc.stderr
        assert "SSL_CORE_STRICT_PLUGINS=1" in proc.stderr
