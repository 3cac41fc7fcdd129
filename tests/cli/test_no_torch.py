"""The listing and scaffolding commands never import torch: each runs in a fresh interpreter.

Each command is invoked in-process with click's ``CliRunner`` inside ``python -c``, with every
installed plugin loaded (the process-wide plugin manager), then ``sys.modules`` is checked.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

_RUN = """
import json, sys
from click.testing import CliRunner
from ssl_core.cli.root import cli
runs = json.loads(sys.argv[1])
for args in runs:
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.output)
    assert result.output.strip(), args
print(json.dumps(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch."))))
"""

_DOMAINS = """
from ssl_core.plugins.manager import get_plugin_manager
pm = get_plugin_manager()
print(" ".join(i.domain for i in pm.plugins() if i.domain and pm.default_config(i.domain) is not None))
"""


def _torch_modules_after(*runs: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(list(runs))],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    loaded: list[str] = json.loads(out.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "args",
    [["--help"], ["components"], ["components", "--json"], ["plugins"], ["plugins", "--json"]],
    ids=" ".join,
)
def test_listing_commands_import_no_torch(args):
    assert _torch_modules_after(args) == []


def test_init_of_every_installed_domain_imports_no_torch():
    found = subprocess.run(
        [sys.executable, "-c", _DOMAINS], check=True, capture_output=True, text=True, timeout=120
    ).stdout.split()
    assert "core" in found
    assert _torch_modules_after(*[["init", domain, "-o", "-"] for domain in found]) == []


def test_the_check_sees_torch_when_a_command_imports_it():
    # The probe itself: `ssl env` reports the torch version, so torch must show up.
    assert "torch" in _torch_modules_after(["env"])
