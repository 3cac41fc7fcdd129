"""The ssl-core ``pytest11`` plugin: fixtures for plugin authors (loaded automatically by pytest).

Fixtures:
    ssl_pm: an isolated :class:`ssl_core.plugins.SSLPluginManager` (core plugin only, no entry-point
        autoload) installed as the process-wide manager for the test; register a plugin for a block
        with ``with ssl_pm.registered(my_plugin_module): ...``.
    cli_runner: a click ``CliRunner`` with ``.ssl(*args)`` invoking the ``ssl`` root in-process.
    tmp_run_dir: a fresh (not yet created) run directory path under ``tmp_path``.
    tiny_train_config: ``make(recipe, recipe_args=None, **train) -> RunConfig`` with 2 CPU steps, batch 4.
    dist_world: ``run(fn, world_size=2, *, args=(), timeout=120.0) -> list`` on spawned gloo ranks.

This module imports neither torch nor any plugin at import time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers plugin test suites use."""
    config.addinivalue_line("markers", "slow: long-running (multi-process or end-to-end) tests")
    config.addinivalue_line("markers", "data: tests that read real files under $SSL_DATA_DIR")


class SSLCliRunner(CliRunner):
    """``CliRunner`` bound to the ``ssl`` root command."""

    def ssl(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Result:
        """Invoke ``ssl *args`` in-process (exceptions are kept on ``result.exception``)."""
        from ssl_core.cli.root import cli

        return self.invoke(cli, list(args), input=input, env=env, catch_exceptions=True)


@contextmanager
def isolated_plugin_manager() -> Iterator[Any]:
    """A fresh manager with only the core plugin, installed as the global one inside the block."""
    from ssl_core.plugins.manager import SSLPluginManager, reset_plugin_manager

    pm = SSLPluginManager(autoload=False).load()
    previous = reset_plugin_manager(pm)
    try:
        yield pm
    finally:
        reset_plugin_manager(previous)


@pytest.fixture
def ssl_pm() -> Iterator[Any]:
    """An isolated plugin manager (core plugin only) installed as the global one for this test."""
    with isolated_plugin_manager() as pm:
        yield pm


@pytest.fixture
def cli_runner() -> SSLCliRunner:
    """A click runner; ``cli_runner.ssl("plugins", "--json")`` runs the root command in-process."""
    return SSLCliRunner()


@pytest.fixture
def tmp_run_dir(tmp_path: Path) -> Path:
    """A run directory path that does not exist yet (the engine creates it)."""
    return tmp_path / "run"


@pytest.fixture
def tiny_train_config() -> Callable[..., Any]:
    """``make(recipe, recipe_args=None, **train_overrides) -> RunConfig``: 2 steps, batch 4, CPU, fp32."""
    from ssl_core.testing.configs import tiny_run_config

    return tiny_run_config


@pytest.fixture
def dist_world() -> Callable[..., list[Any]]:
    """``run(fn, world_size=2, *, args=(), timeout=120.0)``: ``fn(rank, world_size, *args)`` on gloo ranks."""
    from ssl_core.testing.world import run_world

    def run(
        fn: Callable[..., Any], world_size: int = 2, *, args: Sequence[Any] = (), timeout: float = 120.0
    ) -> list[Any]:
        return run_world(fn, world_size, args=tuple(args), timeout=timeout)

    return run
