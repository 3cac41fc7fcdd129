"""Registry: keys, lazy factories, duplicates, config_cls validation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from ssl_core.errors import ConfigError, PluginError
from ssl_core.plugins.refs import resolve_object
from ssl_core.registry import Registries, Registry


@dataclass
class ScaleArgs:
    factor: float = 2.0
    name: str = "x"


def scaled(factor: float, name: str) -> tuple[float, str]:
    return factor * 3, name


def test_add_get_build_callable():
    reg = Registry("encoders")
    entry = reg.add("dom/scale", scaled, description="scales", config_cls=ScaleArgs)
    assert entry.domain == "dom" and reg.get("dom/scale") is entry
    assert reg.build("dom/scale", factor=1) == (3.0, "x")  # int accepted for float, default filled
    assert reg.names() == ["dom/scale"] and "dom/scale" in reg and len(reg) == 1


def test_lazy_string_factory_is_imported_on_build():
    reg = Registry("objectives")
    reg.add("dom/join", "os.path:join")
    assert reg.get("dom/join").load()("a", "b") == "a/b"


def test_build_validates_with_config_cls():
    reg = Registry("recipes")
    reg.add("dom/scale", scaled, config_cls=ScaleArgs)
    with pytest.raises(ConfigError, match=r"<dom/scale arguments>: facto: unknown key"):
        reg.build("dom/scale", facto=1.0)
    with pytest.raises(ConfigError, match=r"name: expected str, got int 3"):
        reg.build("dom/scale", name=3)


def test_duplicate_names_both_plugins():
    reg = Registry("encoders")
    reg.current_plugin = "first"
    reg.add("dom/a", scaled)
    reg.current_plugin = "second"
    with pytest.raises(
        PluginError,
        match=r"duplicate encoders 'dom/a': registered by plugin 'first' and again by plugin 'second'",
    ):
        reg.add("dom/a", scaled)


@pytest.mark.parametrize("name", ["noslash", "Dom/a", "dom/", "/a", "dom/a b", "dom/a/b"])
def test_malformed_keys(name):
    with pytest.raises(PluginError, match="must be 'domain/name'"):
        Registry("encoders").add(name, scaled)


@pytest.mark.parametrize(
    ("factory", "kwargs", "match"),
    [
        (42, {}, "must be callable or 'module:attr'"),
        ("no_colon", {}, "must be 'module:attr'"),
        (scaled, {"config_cls": dict}, "is not a dataclass"),
    ],
)
def test_bad_factories(factory, kwargs, match):
    with pytest.raises(PluginError, match=match):
        Registry("encoders").add("dom/a", factory, **kwargs)


def test_unknown_name_lists_known():
    reg = Registry("views")
    reg.add("dom/a", scaled)
    with pytest.raises(PluginError, match=r"unknown views 'dom/b'; registered: dom/a"):
        reg.get("dom/b")


def test_resolve_object_errors():
    assert resolve_object("os.path:join.__name__") == "join"
    with pytest.raises(PluginError, match="has no attribute 'nope'"):
        resolve_object("os:nope")
    with pytest.raises(ModuleNotFoundError):
        resolve_object("no_such_module_xyz:thing")


def test_lazy_factory_not_callable():
    reg = Registry("encoders")
    reg.add("dom/sep", "os:sep")
    with pytest.raises(PluginError, match="is not callable"):
        reg.build("dom/sep")


def test_registries_by_kind_and_remove_plugin():
    regs = Registries.empty()
    assert regs.by_kind("evaluators") is regs.evaluators
    with pytest.raises(PluginError, match="unknown component kind"):
        regs.by_kind("widgets")
    regs.encoders.current_plugin = "p"
    regs.encoders.add("dom/a", scaled)
    regs.encoders.remove_plugin("p")
    assert regs.encoders.names() == []
