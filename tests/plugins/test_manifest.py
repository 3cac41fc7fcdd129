"""PluginManifest validation."""

from __future__ import annotations

import pytest

from ssl_core.hooks import HOOK_API_VERSION
from ssl_core.plugins.manifest import PluginManifest


def test_valid_manifest_defaults():
    m = PluginManifest(
        "speech", "speech", provides={"recipes": ["speech/tera"]}, cli="ssl_plugin_speech.cli:group"
    )
    assert m.api_version == HOOK_API_VERSION == 2 and m.title == "speech"
    assert PluginManifest("a", "a", display_name="Alpha").title == "Alpha"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": "Bad Name", "domain": "x"}, "name"),
        ({"name": "x", "domain": "x/y"}, "domain"),
        ({"name": "x", "domain": "x", "provides": {"widgets": []}}, "unknown kind 'widgets'"),
        ({"name": "x", "domain": "x", "provides": {"encoders": ["y/enc"]}}, "must start with 'x/'"),
        ({"name": "x", "domain": "x", "cli": "module_only"}, "module:attr"),
        ({"name": "x", "domain": "x", "api_version": "1"}, "api_version"),
    ],
)
def test_invalid_manifest(kwargs, match):
    with pytest.raises(ValueError, match=match):
        PluginManifest(**kwargs)
