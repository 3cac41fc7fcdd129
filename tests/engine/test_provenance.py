"""``ssl_core.engine.provenance``: version and commit from a distribution's own installation record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from ssl_core.engine.provenance import UNKNOWN, distribution_provenance
from ssl_core.engine.rundir import environment_info


def _git(cwd: Path, *args: str) -> str:
    cmd = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false", *args]
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def _repo(path: Path) -> str:
    """A git repository at ``path`` holding one commit of whatever is there; returns the commit."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "README").write_text("x\n")
    _git(path, "init", "-q")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "init")
    return _git(path, "rev-parse", "HEAD")


def _install(
    site: Path, name: str, package: str, direct_url: dict | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A minimal installed distribution ``name`` 1.2.3 in ``site`` (put on ``sys.path``)."""
    info = site / f"{name.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.2.3\n")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url))
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, package, raising=False)


def test_wheel_install_inside_someone_elses_repository_is_unknown(tmp_path, monkeypatch):
    enclosing = _repo(tmp_path / "project")  # a user's repository around the venv
    site = tmp_path / "project" / "venv" / "site-packages"
    (site / "prov_pkg_a").mkdir(parents=True)
    (site / "prov_pkg_a" / "__init__.py").write_text("")
    _install(site, "prov-dist-a", "prov_pkg_a", None, monkeypatch)
    got = distribution_provenance("prov-dist-a", "prov_pkg_a")
    assert got == {"version": "1.2.3", "commit": UNKNOWN, "dirty": None} and enclosing not in str(got)


def test_vcs_install_records_the_commit_of_its_metadata(tmp_path, monkeypatch):
    vcs = {"url": "https://example.org/x.git", "vcs_info": {"vcs": "git", "commit_id": "ab" * 20}}
    _install(tmp_path / "site", "prov-dist-b", "prov_pkg_b", vcs, monkeypatch)
    assert distribution_provenance("prov-dist-b", "prov_pkg_b")["commit"] == "ab" * 20


def test_editable_install_records_its_source_commit_and_dirty_flag(tmp_path, monkeypatch):
    source = tmp_path / "checkout"
    (source / "src" / "prov_pkg_c").mkdir(parents=True)
    (source / "src" / "prov_pkg_c" / "__init__.py").write_text("X = 1\n")
    commit = _repo(source)
    editable = {"url": source.as_uri(), "dir_info": {"editable": True}}
    _install(tmp_path / "site", "prov-dist-c", "prov_pkg_c", editable, monkeypatch)
    monkeypatch.syspath_prepend(str(source / "src"))
    assert distribution_provenance("prov-dist-c", "prov_pkg_c") == {
        "version": "1.2.3",
        "commit": commit,
        "dirty": False,
    }
    (source / "src" / "prov_pkg_c" / "__init__.py").write_text("X = 2\n")
    assert distribution_provenance("prov-dist-c", "prov_pkg_c")["dirty"] is True


def test_editable_metadata_for_another_copy_than_the_imported_one_is_unknown(tmp_path, monkeypatch):
    other = tmp_path / "other-checkout"
    _repo(other)
    imported = tmp_path / "elsewhere"
    (imported / "prov_pkg_d").mkdir(parents=True)
    (imported / "prov_pkg_d" / "__init__.py").write_text("")
    _install(
        tmp_path / "site",
        "prov-dist-d",
        "prov_pkg_d",
        {"url": other.as_uri(), "dir_info": {"editable": True}},
        monkeypatch,
    )
    monkeypatch.syspath_prepend(str(imported))
    assert distribution_provenance("prov-dist-d", "prov_pkg_d")["commit"] == UNKNOWN


def test_missing_distribution_is_unknown():
    assert distribution_provenance("no-such-dist-xyz") == {
        "version": UNKNOWN,
        "commit": UNKNOWN,
        "dirty": None,
    }


def test_environment_json_records_provenance_per_distribution():
    env = environment_info(world_size=1, device=torch.device("cpu"), seed=0, global_batch=4)
    assert "git" not in env
    core = env["provenance"]["ssl-core"]
    assert set(core) == {"version", "commit", "dirty"} and core["version"] == env["ssl_core"]
    for plugin in env["plugins"]:
        assert plugin["distribution"] in env["provenance"]
