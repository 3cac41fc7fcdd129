"""Fixtures of the CLI tests: the plugin template as a real plugin registered in an isolated manager."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TEMPLATE_SRC = Path(__file__).resolve().parents[2] / "ssl_core" / "templates" / "plugin" / "src"


@pytest.fixture
def template_plugin(ssl_pm: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The template plugin (domain ``template``) importable and registered in ``ssl_pm``."""
    monkeypatch.syspath_prepend(str(TEMPLATE_SRC))
    plugin = importlib.import_module("ssl_plugin_template.plugin")
    with ssl_pm.registered(plugin):
        yield plugin
