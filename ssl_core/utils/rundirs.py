"""Where a run goes when no run directory is given: ``runs/<domain>/<UTC timestamp>``."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

__all__ = ["default_run_dir"]


def default_run_dir(name: str, root: str | Path = "runs") -> Path:
    """``<root>/<domain>/<UTC timestamp>`` for a domain or a recipe key ``domain/name``.

    A ``-N`` suffix is added while that directory exists, so two runs started in the same second
    never share a directory.
    """
    domain = name.split("/", 1)[0] or "run"
    base = Path(root) / domain / datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    candidate, n = base, 1
    while candidate.exists():
        candidate, n = base.with_name(f"{base.name}-{n}"), n + 1
    return candidate
