"""Plugin loading: entry points, env filters applied before import, errors reported, strict mode."""

from __future__ import annotations

import sys
import types

import pytest

from ssl_core import hookimpl
from ssl_core.errors import PluginError
from ssl_core.hooks import HOOK_API_VERSION
from ssl_core.plugins.manager import SSLPluginManager
from ssl_core.plugins.manifest import PluginManifest

GOOD = """
from ssl_core import hookimpl, PluginManifest

PLUGIN = PluginManifest(name="fake", domain="fake", description="a fake plugin",
                        provides={"encoders": ["fake/enc"]}, cli="fakeplug.cli:group")

@hookimpl
def ssl_register_encoders(registry):
    registry.add("fake/enc", "fakeplug.enc:make", description="fake encoder")

@hookimpl
def ssl_default_config(domain):
    return {"recipe": "fake/r", "train": {"steps": 3}} if domain == "fake" else None
"""
BROKEN = "raise RuntimeError('boom at import')\n"


def _module(name: str, manifest: PluginManifest | None = None, **hooks: object) -> types.ModuleType:
    mod = types.ModuleType(name)
    if manifest is not None:
        mod.PLUGIN = manifest  # type: ignore[attr-defined]
    for key, fn in hooks.items():
        setattr(mod, key, fn)
    return mod


def _manager(**env: str) -> SSLPluginManager:
    return SSLPluginManager(environ=env).load()


def _errors(pm: SSLPluginManager) -> list:
    """Errors of the plugins under test (the core plugin is covered by test_builtin.py)."""
    pm.registries()
    return [e for e in pm.errors if not e.entry_point.startswith("core ")]


def test_entry_point_plugin_is_loaded_with_dist_metadata(fake_dist):
    fake_dist(
        "fakeplug",
        {"fakeplug/__init__.py": "", "fakeplug/plugin.py": GOOD},
        entry_points={"fake": "fakeplug.plugin"},
    )
    pm = _manager(SSL_CORE_LOAD_PLUGINS="fake")
    info = pm.get_plugin("fake")
    assert (info.distribution, info.version, info.domain) == ("fakeplug", "0.1.0", "fake")
    assert [i.name for i in pm.plugins()] == ["core", "fake"]
    assert pm.errors == []
    assert pm.default_config("fake") == {"recipe": "fake/r", "train": {"steps": 3}}
    assert pm.cli_commands() == {"fake": "fakeplug.cli:group"}
    entry = pm.registries().encoders.get("fake/enc")
    assert (entry.plugin, entry.description) == ("fake", "fake encoder")


def test_broken_plugin_is_reported_and_skipped(fake_dist):
    fake_dist(
        "brokenplug",
        {"brokenplug/__init__.py": "", "brokenplug/plugin.py": BROKEN},
        entry_points={"broken": "brokenplug.plugin"},
        version="0.3.1",
    )
    fake_dist(
        "fakeplug",
        {"fakeplug/__init__.py": "", "fakeplug/plugin.py": GOOD},
        entry_points={"fake": "fakeplug.plugin"},
    )
    pm = _manager(SSL_CORE_LOAD_PLUGINS="broken,fake")
    assert [i.name for i in pm.plugins()] == ["core", "fake"]
    (err,) = pm.errors
    assert err.entry_point == "broken = brokenplug.plugin"
    assert (err.distribution, err.version) == ("brokenplug", "0.3.1")
    assert "RuntimeError: boom at import" in err.error


def test_strict_mode_makes_a_broken_plugin_fatal(fake_dist):
    fake_dist(
        "brokenplug",
        {"brokenplug/__init__.py": "", "brokenplug/plugin.py": BROKEN},
        entry_points={"broken": "brokenplug.plugin"},
    )
    with pytest.raises(
        PluginError, match=r"broken = brokenplug.plugin.*boom at import.*SSL_CORE_STRICT_PLUGINS"
    ):
        _manager(SSL_CORE_LOAD_PLUGINS="broken", SSL_CORE_STRICT_PLUGINS="1")


@pytest.mark.parametrize(
    ("env", "imported"),
    [
        ({"SSL_CORE_LOAD_PLUGINS": ""}, False),
        ({"SSL_CORE_LOAD_PLUGINS": "fakeplug"}, True),  # distribution names select too
        ({"SSL_CORE_LOAD_PLUGINS": "fake", "SSL_CORE_DISABLE_PLUGINS": "fake"}, False),
    ],
)
def test_env_filters_apply_before_import(fake_dist, env, imported):
    fake_dist(
        "fakeplug",
        {"fakeplug/__init__.py": "", "fakeplug/plugin.py": GOOD},
        entry_points={"fake": "fakeplug.plugin"},
    )
    pm = _manager(**env)
    assert ("fakeplug.plugin" in sys.modules) is imported
    assert ("fake" in [i.name for i in pm.plugins()]) is imported
    assert pm.errors == []


def test_incompatible_core_requirement_is_rejected_before_import(fake_dist):
    fake_dist(
        "oldplug",
        {"oldplug/__init__.py": "", "oldplug/plugin.py": GOOD.replace("fake", "old")},
        entry_points={"old": "oldplug.plugin"},
        requires=("ssl-core>=0.5,<0.6", "numpy"),
    )
    pm = _manager(SSL_CORE_LOAD_PLUGINS="old")
    assert "oldplug.plugin" not in sys.modules
    (err,) = pm.errors
    assert "requires ssl-core>=0.5,<0.6" in err.error and err.distribution == "oldplug"


def test_api_version_mismatch_is_reported(fake_dist):
    src = GOOD.replace('description="a fake plugin"', f'description="x", api_version={HOOK_API_VERSION + 1}')
    fake_dist(
        "fakeplug",
        {"fakeplug/__init__.py": "", "fakeplug/plugin.py": src},
        entry_points={"fake": "fakeplug.plugin"},
    )
    pm = _manager(SSL_CORE_LOAD_PLUGINS="fake")
    (err,) = pm.errors
    assert f"targets hook API version {HOOK_API_VERSION + 1}" in err.error


def test_unknown_hook_is_rejected():
    @hookimpl
    def ssl_register_widgets(registry):  # not a hookspec
        pass

    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    with pytest.raises(PluginError, match="ssl_register_widgets"):
        pm.register(
            _module("typo", PluginManifest("typo", "typo"), ssl_register_widgets=ssl_register_widgets)
        )
    assert "typo" not in [i.name for i in pm.plugins()]


def test_duplicate_component_names_both_plugins_and_rolls_back():
    def first(registry):
        registry.add("shared/enc", lambda: 1)

    def second(registry):
        registry.add("shared/other", lambda: 2)
        registry.add("shared/enc", lambda: 3)

    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    pm.register(_module("a", None, ssl_register_encoders=hookimpl(first)), "alpha")
    pm.register(_module("b", None, ssl_register_encoders=hookimpl(second)), "beta")
    regs = pm.registries()
    (err,) = _errors(pm)
    assert "'alpha'" in err.error and "'beta'" in err.error and "shared/enc" in err.error
    assert regs.encoders.get("shared/enc").plugin == "alpha"
    assert "shared/other" not in regs.encoders  # the failing plugin's partial registrations are dropped


def test_duplicate_is_fatal_in_strict_mode():
    pm = _manager(SSL_CORE_LOAD_PLUGINS="", SSL_CORE_STRICT_PLUGINS="1")
    for name in ("alpha", "beta"):
        pm.register(
            _module(name, None, ssl_register_encoders=hookimpl(lambda registry: registry.add("x/y", len))),
            name,
        )
    with pytest.raises(PluginError, match="'alpha' and again by plugin 'beta'"):
        pm.registries()


def test_plugin_cannot_register_outside_its_domain():
    def hook(registry):
        registry.add("core/stolen", len)

    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    pm.register(_module("m", PluginManifest("speech", "speech"), ssl_register_encoders=hookimpl(hook)))
    (err,) = _errors(pm)
    assert "keys must start with 'speech/'" in err.error


def test_two_plugins_cannot_share_a_domain():
    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    pm.register(_module("m1", PluginManifest("one", "audio")))
    with pytest.raises(PluginError, match="domain 'audio' is already provided by plugin 'one'"):
        pm.register(_module("m2", PluginManifest("two", "audio")))


def test_registered_context_manager_and_cache_invalidation():
    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    mod = _module(
        "m",
        PluginManifest("tmp", "tmp"),
        ssl_register_evaluators=hookimpl(lambda registry: registry.add("tmp/default", len)),
    )
    with pm.registered(mod) as info:
        assert info.name == "tmp"
        assert "tmp/default" in pm.registries().evaluators
    assert "tmp/default" not in pm.registries().evaluators
    assert [i.name for i in pm.plugins()] == ["core"]


def test_hook_implementations_may_omit_arguments():
    calls = []
    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    pm.register(_module("m", None, ssl_register_encoders=hookimpl(lambda: calls.append(1))), "noargs")
    assert _errors(pm) == [] and calls == [1]


def test_manifest_must_be_a_manifest():
    pm = _manager(SSL_CORE_LOAD_PLUGINS="")
    mod = types.ModuleType("bad")
    mod.PLUGIN = {"name": "bad"}  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="PLUGIN must be a ssl_core.PluginManifest"):
        pm.register(mod)


@pytest.mark.parametrize("key", ["SSL_CORE_LOAD_PLUGINS", "SSL_CORE_DISABLE_PLUGINS"])
def test_unknown_plugin_name_in_env_is_an_error(fake_dist, key):
    fake_dist(
        "fakeplug",
        {"fakeplug/__init__.py": "", "fakeplug/plugin.py": GOOD},
        entry_points={"fake": "fakeplug.plugin"},
    )
    with pytest.raises(PluginError, match=rf"{key}: unknown plugin name\(s\) nosuch; installed: .*fake"):
        _manager(**{key: "fake,nosuch"})


def test_core_plugin_always_present():
    pm = _manager(SSL_CORE_LOAD_PLUGINS="", SSL_CORE_DISABLE_PLUGINS="core")
    core = pm.get_plugin("core")
    assert core.distribution == "ssl-core" and core.domain == "core"


def test_global_manager_is_not_kept_half_loaded_in_strict_mode(fake_dist, monkeypatch):
    from ssl_core.plugins.manager import get_plugin_manager, reset_plugin_manager

    fake_dist(
        "brokenplug",
        {"brokenplug/__init__.py": "", "brokenplug/plugin.py": BROKEN},
        entry_points={"broken": "brokenplug.plugin"},
    )
    monkeypatch.setenv("SSL_CORE_LOAD_PLUGINS", "broken")
    monkeypatch.setenv("SSL_CORE_STRICT_PLUGINS", "1")
    saved = reset_plugin_manager(None)
    try:
        for _ in range(2):  # the second call raises again instead of returning a partial manager
            with pytest.raises(PluginError, match="boom at import"):
                get_plugin_manager()
        monkeypatch.delenv("SSL_CORE_STRICT_PLUGINS")
        assert [e.distribution for e in get_plugin_manager().errors] == ["brokenplug"]
    finally:
        reset_plugin_manager(saved)
