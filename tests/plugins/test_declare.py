"""PluginTable: the manifest and the registration hooks derived from one component table."""

from __future__ import annotations

import dataclasses
import importlib
import os
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

from ssl_core.errors import PluginError
from ssl_core.plugins.declare import Component, PluginTable
from ssl_core.plugins.manager import SSLPluginManager

TEMPLATE_SRC = Path(__file__).resolve().parents[2] / "ssl_core" / "templates" / "plugin" / "src"

# A declared plugin whose factories import torch: only the table module may be imported on load.
PLUGIN_SRC = """
from ssl_core import Component, PluginTable

TABLE = PluginTable(
    name="decl",
    package="declplug",
    description="declared plugin",
    display_name="Declared",
    cli=".cli:group",
    default_config={"recipe": "decl/run", "train": {"steps": 3}},
    components=[
        Component("evaluators", "default", ".heavy:demo", "the evaluator"),
        Component("encoders", "enc", ".heavy:Enc", "an encoder"),
        Component("recipes", "run", ".heavy:recipe", "a recipe", config_cls=".args:RunArgs"),
        Component("encoders", "enc2", "declplug.heavy:Enc", "absolute reference"),
    ],
)
PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())
"""
FILES = {
    "declplug/__init__.py": "",
    "declplug/plugin.py": PLUGIN_SRC,
    "declplug/args.py": """
        from dataclasses import dataclass

        @dataclass
        class RunArgs:
            n: int = 4
    """,
    "declplug/heavy.py": """
        import torch

        Enc = torch.nn.Linear
        def recipe(n=4): return n
        def demo(run_dir, *, quick=False): return run_dir
    """,
}
DECLARED = [
    ("encoders", "decl/enc", "declplug.heavy:Enc", "an encoder"),
    ("encoders", "decl/enc2", "declplug.heavy:Enc", "absolute reference"),
    ("recipes", "decl/run", "declplug.heavy:recipe", "a recipe"),
    ("evaluators", "decl/default", "declplug.heavy:demo", "the evaluator"),
]


@pytest.fixture
def declplug(fake_dist):
    """The declared plugin installed as distribution ``ssl-plugin-decl`` (entry point ``decl``)."""
    site = fake_dist("ssl-plugin-decl", FILES, entry_points={"decl": "declplug.plugin"})
    return site, importlib.import_module("declplug.plugin")


def _as_module(name: str, table: PluginTable) -> types.ModuleType:
    """A plugin module built the way a light module binds its table."""
    mod = types.ModuleType(name)
    mod.__dict__.update(PLUGIN=table.manifest, **table.hookimpls())
    return mod


def _own_entries(pm: SSLPluginManager, plugin: str) -> list[tuple[str, str, object, str]]:
    regs = pm.registries()
    return [
        (e.kind, e.name, e.factory, e.description)
        for r in regs.all()
        for e in r.entries()
        if e.plugin == plugin
    ]


def test_manifest_provides_is_derived_from_the_table(declplug):
    _, mod = declplug
    m = mod.PLUGIN
    # kinds in COMPONENT_KINDS order, names in declaration order
    assert m.provides == {
        "encoders": ["decl/enc", "decl/enc2"],
        "recipes": ["decl/run"],
        "evaluators": ["decl/default"],
    }
    assert list(m.provides) == ["encoders", "recipes", "evaluators"]
    assert (m.name, m.domain, m.description, m.title) == ("decl", "decl", "declared plugin", "Declared")
    assert m.cli == "declplug.cli:group" and m.api_version == 2


def test_hookimpls_cover_exactly_the_declared_kinds(declplug):
    _, mod = declplug
    hooks = mod.TABLE.hookimpls()
    assert sorted(hooks) == [
        "ssl_default_config",
        "ssl_register_encoders",
        "ssl_register_evaluators",
        "ssl_register_recipes",
    ]
    assert all(getattr(mod, name) is fn for name, fn in hooks.items())
    assert hooks["ssl_register_encoders"].__name__ == "ssl_register_encoders"
    no_default = PluginTable(name="x", components=[Component("objectives", "o", "m:o")])
    assert list(no_default.hookimpls()) == ["ssl_register_objectives"]
    with pytest.raises(ValueError, match="declares no encoders"):
        no_default.hook("encoders")


def test_generated_hooks_register_exactly_the_table(declplug):
    _, mod = declplug
    pm = SSLPluginManager(autoload=False, environ={})
    pm.register(mod, distribution="ssl-plugin-decl", version="0.1.0")
    assert sorted(_own_entries(pm, "decl")) == sorted(DECLARED)
    recipe = pm.registries().recipes.get("decl/run")
    args_mod = importlib.import_module("declplug.args")
    assert recipe.config_cls is args_mod.RunArgs  # the lazy string was resolved in the hook
    assert pm.registries().recipes.build("decl/run") == 4
    assert pm.errors == []
    for kind, names in mod.PLUGIN.provides.items():
        assert names == [n for n in pm.registries().by_kind(kind).names() if n.startswith("decl/")]


def test_loaded_through_its_entry_point(declplug):
    pm = SSLPluginManager(environ={"SSL_CORE_LOAD_PLUGINS": "decl", "SSL_CORE_STRICT_PLUGINS": "1"})
    info = pm.get_plugin("decl")
    assert info.to_dict()["components"]["encoders"] == ["decl/enc", "decl/enc2"]
    assert sorted(_own_entries(pm, "decl")) == sorted(DECLARED)


def test_default_config_hook(declplug):
    _, mod = declplug
    pm = SSLPluginManager(autoload=False, environ={})
    pm.register(mod)
    first = pm.default_config("decl")
    assert first == {"recipe": "decl/run", "train": {"steps": 3}}
    first["train"]["steps"] = 99  # a copy: the declared dict is untouched
    assert pm.default_config("decl") == {"recipe": "decl/run", "train": {"steps": 3}}
    assert pm.default_config("other") is None


def test_default_config_callable_and_lazy(declplug):
    rows = [Component("evaluators", "default", ".heavy:demo")]
    table = PluginTable(name="d", package="declplug", components=rows, default_config=lambda: {"a": 1})
    assert table.default_config_hook()("d") == {"a": 1}
    lazy = PluginTable(name="d", package="declplug", components=rows, default_config=".args:RunArgs")
    with pytest.raises(PluginError, match="returned RunArgs, expected dict"):
        lazy.starter_config()
    with pytest.raises(PluginError, match="declares no default_config"):
        PluginTable(name="d", package="declplug", components=rows).starter_config()


def test_unresolvable_config_cls_is_a_recorded_plugin_error(declplug):
    table = PluginTable(
        name="bad",
        package="declplug",
        components=[
            Component("encoders", "e", ".heavy:Enc"),
            Component("recipes", "r", ".heavy:recipe", config_cls=".args:Missing"),
        ],
    )
    pm = SSLPluginManager(autoload=False, environ={})
    pm.register(_as_module("bad_plugin", table), "bad")
    assert _own_entries(pm, "bad") == []  # nothing half-registered
    assert len(pm.errors) == 1 and "ssl_register_recipes" in pm.errors[0].error
    assert "declplug.args:Missing" in pm.errors[0].error


@dataclasses.dataclass
class _Args:
    n: int = 1


def test_callable_factory_and_class_config():
    table = PluginTable(name="c", components=[Component("recipes", "r", lambda n=1: n * 2, config_cls=_Args)])
    pm = SSLPluginManager(autoload=False, environ={})
    pm.register(_as_module("c_plugin", table), "c")
    assert pm.registries().recipes.build("c/r", n=3) == 6


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"components": [Component("widgets", "w", "m:w")]}, "unknown kind"),
        ({"components": [Component("encoders", "Bad Name", "m:e")]}, "name must match"),
        ({"components": [Component("encoders", "e", "m:e")] * 2}, "declared twice"),
        ({"components": [Component("encoders", "e", ".m:e")]}, "needs package="),
        ({"components": [Component("encoders", "e", "module_only")]}, "must be 'module:attr'"),
        ({"components": [Component("encoders", "e", 3)]}, "factory must be"),  # type: ignore[arg-type]
        ({"components": [Component("recipes", "r", "m:r", config_cls=dict)]}, "is not a dataclass"),
        ({"components": [], "cli": "no_colon"}, "must be 'module:attr'"),
        ({"components": [], "domain": "Bad/Domain"}, "domain"),
        ({"components": [], "default_config": "no_colon"}, "must be 'module:attr'"),
    ],
)
def test_invalid_tables(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PluginTable(name="x", **kwargs)


@pytest.mark.timeout(120)
def test_importing_a_declared_plugin_does_not_import_torch(declplug):
    site, _ = declplug
    code = textwrap.dedent(
        """
        import sys
        import declplug.plugin, ssl_plugin_template.plugin
        from ssl_core.registry import Registries

        assert "torch" not in sys.modules, "importing the plugin modules imported torch"
        regs = Registries.empty()  # the table's hooks alone: the core plugin's hooks import torch
        for kind in declplug.plugin.TABLE.kinds():
            getattr(declplug.plugin, f"ssl_register_{kind}")(regs.by_kind(kind))
        assert regs.recipes.names() == ["decl/run"], regs.recipes.names()
        assert regs.recipes.get("decl/run").config_cls.__name__ == "RunArgs"
        assert "torch" not in sys.modules, "building the registries imported a factory"
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(TEMPLATE_SRC)])}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=110)
    assert proc.returncode == 0, proc.stderr
