"""Locating the shared real data in tests: skip when ``SSL_DATA_DIR`` is unset, fail when it is wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DATA_ENV = "SSL_DATA_DIR"


def shared_data_dir(domain: str) -> Path:
    """``$SSL_DATA_DIR/<domain>`` for a test that reads real files.

    Skips the calling test (with the reason) when ``SSL_DATA_DIR`` is unset or empty; fails it when
    the variable is set but the domain folder is missing, so a misconfigured CI cannot silently skip.
    The path is absolute (a relative ``SSL_DATA_DIR``, as CI sets it, is resolved from the working
    directory), so links and child processes that start elsewhere still find the files.
    """
    root = os.environ.get(DATA_ENV, "").strip()
    if not root:
        pytest.skip(f"{DATA_ENV} is not set: skipping the real-data test for {domain!r}")
    path = Path(root).expanduser() / domain
    if not path.is_dir():
        pytest.fail(f"{DATA_ENV}={root} is set but {path} does not exist (resolved from {Path.cwd()})")
    return path.resolve()
