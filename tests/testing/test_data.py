"""shared_data_dir: skip when SSL_DATA_DIR is unset, fail when set but missing."""

from __future__ import annotations

import pytest

from ssl_core.testing.data import shared_data_dir


def test_skips_when_unset(monkeypatch):
    monkeypatch.delenv("SSL_DATA_DIR", raising=False)
    with pytest.raises(pytest.skip.Exception, match="SSL_DATA_DIR is not set"):
        shared_data_dir("speech")


def test_fails_when_set_but_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("SSL_DATA_DIR", str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="does not exist"):
        shared_data_dir("speech")


def test_returns_domain_dir(monkeypatch, tmp_path):
    (tmp_path / "speech").mkdir()
    monkeypatch.setenv("SSL_DATA_DIR", str(tmp_path))
    assert shared_data_dir("speech") == tmp_path / "speech"
