"""The pytest11 fixtures: isolation of ssl_pm, tiny configs, CLI runner, spawned world."""

from __future__ import annotations

import pytest

from ssl_core.plugins.manager import get_plugin_manager


def test_plugin_is_registered_with_pytest(pytestconfig):
    assert pytestconfig.pluginmanager.has_plugin("ssl_core")


def test_ssl_pm_is_the_global_manager_during_the_test(ssl_pm):
    assert get_plugin_manager() is ssl_pm
    assert [i.name for i in ssl_pm.plugins()] == ["core"]


def test_isolated_manager_is_restored_afterwards():
    from ssl_core.plugins.manager import SSLPluginManager, reset_plugin_manager
    from ssl_core.testing.pytest_plugin import isolated_plugin_manager

    outer = SSLPluginManager(autoload=False)
    saved = reset_plugin_manager(outer)
    try:
        with isolated_plugin_manager() as pm:
            assert get_plugin_manager() is pm and pm is not outer
        assert get_plugin_manager() is outer
    finally:
        reset_plugin_manager(saved)


def test_tiny_train_config(tiny_train_config):
    cfg = tiny_train_config("x/y", {"a": 1}, steps=3)
    assert (cfg.recipe, cfg.recipe_args, cfg.train.steps, cfg.train.batch_size) == ("x/y", {"a": 1}, 3, 4)
    assert cfg.train.device == "cpu" and cfg.train.progress is False


def test_tmp_run_dir(tmp_run_dir):
    assert not tmp_run_dir.exists() and tmp_run_dir.parent.is_dir()


def test_cli_runner(cli_runner, ssl_pm):
    result = cli_runner.ssl("--version")
    assert result.exit_code == 0 and "0.1.0" in result.output


def _rank_info(rank: int, world_size: int, offset: int) -> tuple[int, int]:
    import torch.distributed as dist

    return dist.get_rank() + offset, dist.get_world_size()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_dist_world(dist_world):
    assert dist_world(_rank_info, 2, args=(10,)) == [(10, 2), (11, 2)]
