"""Which code ran: each installed ssl-core distribution's version and, where its metadata says, commit.

The commit comes from the distribution's own installation record (PEP 610 ``direct_url.json``):

* installed from a VCS URL (``pip install git+https://...@<rev>``): ``vcs_info.commit_id``;
* an editable install (``pip install -e DIR``) whose imported package really lives under ``DIR``:
  ``git rev-parse HEAD`` in ``DIR`` and whether tracked files differ from it (``dirty``);
* anything else (a wheel from an index or ``--find-links``): ``"unknown"``.

It is never the commit of whatever repository happens to enclose site-packages or the working
directory: that repository is not the code that ran.
"""

from __future__ import annotations

import json
import subprocess
from importlib import metadata, util
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

__all__ = ["UNKNOWN", "distribution_provenance"]

UNKNOWN = "unknown"


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return res.stdout.strip() if res.returncode == 0 else None


def _direct_url(dist: metadata.Distribution) -> dict[str, Any]:
    try:
        data = json.loads(dist.read_text("direct_url.json") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _package_dir(module: str) -> Path | None:
    """Where the top-level package of ``module`` is imported from (without importing it)."""
    try:
        spec = util.find_spec(module.split(".", 1)[0])
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent


def _editable_commit(url: str, module: str | None) -> tuple[str, bool | None]:
    parsed = urlparse(url)
    if parsed.scheme != "file" or module is None:
        return UNKNOWN, None
    source = Path(unquote(parsed.path)).resolve()
    package = _package_dir(module)
    if package is None or not package.is_relative_to(source):
        return UNKNOWN, None  # the metadata describes another copy than the one imported
    commit = _git(["rev-parse", "HEAD"], source)
    if not commit:
        return UNKNOWN, None
    status = _git(["status", "--porcelain", "--untracked-files=no", "--", "."], source)
    return commit, None if status is None else bool(status)


def distribution_provenance(name: str, module: str | None = None) -> dict[str, Any]:
    """``{"version", "commit", "dirty"}`` of the installed distribution ``name``.

    ``module`` is the package the distribution provides (``ssl_core``, ``ssl_plugin_speech``); an
    editable install's commit is reported only when that package is imported from its source folder.
    ``dirty`` is ``None`` unless a commit was read from a working tree.
    """
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:
        return {"version": UNKNOWN, "commit": UNKNOWN, "dirty": None}
    info = _direct_url(dist)
    commit: str = UNKNOWN
    dirty: bool | None = None
    vcs = info.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("commit_id"):
        commit = str(vcs["commit_id"])
    elif isinstance(info.get("dir_info"), dict) and info["dir_info"].get("editable"):
        commit, dirty = _editable_commit(str(info.get("url", "")), module)
    return {"version": dist.version, "commit": commit, "dirty": dirty}
