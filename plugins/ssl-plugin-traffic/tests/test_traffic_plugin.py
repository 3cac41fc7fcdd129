"""Registration through the plugin system, the default config and the quick demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssl_core.config import load_run_config


def test_registered_components() -> None:
    from ssl_core.plugins import get_registries

    regs = get_registries()
    assert "traffic/stssdl" in regs.recipes.names()
    assert "traffic/default" in regs.demos.names()
    assert {"traffic/stssdl", "traffic/prototype-triplet", "traffic/deviation"} <= set(
        regs.objectives.names()
    )
    assert "traffic/history-anchor" in regs.view_generators.names()
    assert "traffic/gcru" in regs.encoders.names()


def test_default_config_is_official_optimiser() -> None:
    from ssl_plugin_traffic.plugin import default_config_dict

    cfg = load_run_config(default_config_dict())
    assert cfg.optim.name == "adam" and cfg.optim.lr == 0.01 and cfg.optim.eps == 1e-3
    assert cfg.optim.schedule.name == "multistep" and cfg.train.clip_grad == 5.0
    assert cfg.train.batch_size == 64


@pytest.mark.timeout(180)
def test_quick_demo(tmp_path: Path) -> None:
    from ssl_plugin_traffic.demo import demo

    result = demo(tmp_path / "demo", quick=True)
    assert result.domain == "traffic" and result.rows
    assert {row.metric for row in result.rows} >= {"mae@avg", "mae@high"}
    assert all(row.baseline[0] > 0 for row in result.rows)
