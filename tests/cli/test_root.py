"""The ``ssl`` root: lazy commands, no torch import for --help / plugins, friendly errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import sys
from ssl_core.cli import main
try:
    main({args!r})
except SystemExit as exc:
    code = exc.code
print("TORCH_IMPORTED=" + str("torch" in sys.modules), file=sys.stderr)
"""


@pytest.mark.parametrize("args", [["--help"], ["plugins"], ["plugins", "--json"], ["--version"]])
def test_help_and_plugins_do_not_import_torch(args):
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=args)], capture_output=True, text=True, timeout=60
    )
    assert "TORCH_IMPORTED=False" in proc.stderr, proc.stderr
    if args == ["plugins", "--json"]:
        payload = json.loads(proc.stdout)
        assert payload["plugins"][0]["name"] == "core"
        assert {"name", "distribution", "version", "domain", "components"} <= set(payload["plugins"][0])


def test_help_lists_builtins_and_plugin_groups(cli_runner, template_plugin):
    result = cli_runner.ssl("--help")
    assert result.exit_code == 0
    for name in ("plugins", "components", "init", "train", "eval", "plot", "env", "new-plugin", "demo"):
        assert f"  {name}" in result.output
    assert "Plugin commands" in result.output and "template" in result.output


def test_unknown_command(cli_runner, ssl_pm):
    result = cli_runner.ssl("nope")
    assert result.exit_code == 2 and "No such command 'nope'" in result.output


def test_plugin_group_is_invoked(cli_runner, template_plugin):
    result = cli_runner.ssl("template", "--help")
    assert result.exit_code == 0 and "pretrain" in result.output and "embed" in result.output


def test_broken_plugin_cli_is_a_clean_error(cli_runner, ssl_pm):
    import types

    from ssl_core.plugins.manifest import PluginManifest

    mod = types.ModuleType("badcli")
    mod.PLUGIN = PluginManifest("badcli", "badcli", cli="no_such_module_abc:group")
    with ssl_pm.registered(mod):
        result = cli_runner.ssl("badcli", "x")
    assert result.exit_code == 1
    assert "cannot load command 'badcli' from no_such_module_abc:group: ModuleNotFoundError" in result.output
