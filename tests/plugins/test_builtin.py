"""The core plugin registers every core component, under core/, with factories that resolve."""

from __future__ import annotations

import pytest

from ssl_core.config import load_run_config, read_yaml_resource
from ssl_core.plugins.manager import SSLPluginManager

KINDS_WITH_CORE_COMPONENTS = ("objectives", "view_generators", "methods", "evaluators", "recipes")


@pytest.fixture(scope="module")
def core_pm() -> SSLPluginManager:
    return SSLPluginManager(autoload=False).load()


def test_core_registers_without_errors(core_pm):
    regs = core_pm.registries()
    assert [str(e) for e in core_pm.errors] == []
    for kind in KINDS_WITH_CORE_COMPONENTS:
        assert regs.by_kind(kind).names(), f"core registers no {kind}"


def test_every_core_factory_resolves(core_pm):
    for registry in core_pm.registries().all():
        for entry in registry.entries():
            assert entry.domain == "core" and entry.plugin == "core"
            assert callable(entry.load()), entry.name


def test_core_default_config_is_valid_and_its_recipe_exists(core_pm):
    data = core_pm.default_config("core")
    assert data == read_yaml_resource("core.yaml")
    cfg = load_run_config(data, check_recipe=False)
    assert cfg.recipe in core_pm.registries().recipes


def test_core_manifest_provides_what_the_hooks_register(core_pm):
    from ssl_core.builtin import PLUGIN

    regs = core_pm.registries()
    registered = {kind: sorted(regs.by_kind(kind).names()) for kind in KINDS_WITH_CORE_COMPONENTS}
    assert {kind: sorted(names) for kind, names in PLUGIN.provides.items()} == registered
