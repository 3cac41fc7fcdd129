"""Shared fixtures of the traffic plugin tests (helpers live in ``traffic_helpers``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from ssl_core.testing.pytest_plugin import isolated_plugin_manager

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def traffic_pm() -> Iterator[Any]:
    """A plugin manager with the core and this plugin only (other installed plugins never load)."""
    import ssl_plugin_traffic.plugin as plugin

    with isolated_plugin_manager() as pm, pm.registered(plugin, "traffic"):
        yield pm
