"""The core plugin registers every core component, under core/, with factories that resolve."""

from __future__ import annotations

import subprocess
import sys

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
    cfg = load_run_config(data)
    assert cfg.recipe in core_pm.registries().recipes


def test_what_the_table_declares_is_what_gets_registered(core_pm):
    from ssl_core.builtin import PLUGIN, TABLE

    regs = core_pm.registries()
    registered = {
        (entry.kind, entry.name, entry.factory, entry.description)
        for registry in regs.all()
        for entry in registry.entries()
    }
    declared = {(row.kind, TABLE.key(row), row.factory, row.description) for row in TABLE.components}
    assert registered == declared
    assert PLUGIN is TABLE.manifest and core_pm.get_plugin("core").manifest is PLUGIN
    assert {k: sorted(v) for k, v in PLUGIN.provides.items()} == {
        kind: regs.by_kind(kind).names() for kind in KINDS_WITH_CORE_COMPONENTS
    }
    synthetic = regs.recipes.get("core/synthetic")
    assert synthetic.config_cls is not None and synthetic.config_cls.__name__ == "SyntheticArgs"


def test_core_plugin_module_imports_no_torch():
    code = (
        "import sys\n"
        "from ssl_core.plugins.manager import SSLPluginManager\n"
        "pm = SSLPluginManager(autoload=False).load()\n"
        "assert pm.get_plugin('core').manifest.provides['objectives']\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
