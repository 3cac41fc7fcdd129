"""``ssl plugins``, ``ssl components``, ``ssl env``."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import ssl_core
from ssl_core.cli.info import SSL_CORE_ENV


def test_plugins_json_lists_registered_plugin(cli_runner, template_plugin):
    result = cli_runner.ssl("plugins", "--json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    names = [p["name"] for p in payload["plugins"]]
    assert names == ["core", "template"]
    tpl = payload["plugins"][1]
    assert tpl["domain"] == "template" and tpl["components"]["recipes"] == ["template/default"]
    assert tpl["cli"] == "ssl_plugin_template.cli:group"


def test_plugins_table(cli_runner, template_plugin):
    result = cli_runner.ssl("plugins")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:4] == ["name", "distribution", "version", "domain"]
    assert any(line.startswith("template") and "ssl template" in line for line in lines)


def test_components_filters(cli_runner, template_plugin):
    result = cli_runner.ssl("components", "--domain", "template", "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {(r["kind"], r["name"]) for r in rows} == {
        (kind, name) for kind, names in template_plugin.PLUGIN.provides.items() for name in names
    }
    assert next(r for r in rows if r["kind"] == "recipes")["config"] == "TemplateArgs"
    result = cli_runner.ssl("components", "--kind", "recipes", "--domain", "template")
    assert (
        result.exit_code == 0 and "template/default" in result.output and "template/mlp" not in result.output
    )
    assert cli_runner.ssl("components", "--kind", "widgets").exit_code == 2


def test_env_json(cli_runner, ssl_pm, monkeypatch):
    monkeypatch.setenv("SSL_DATA_DIR", "/data/x")
    result = cli_runner.ssl("env", "--json")
    assert result.exit_code == 0, result.output
    info = json.loads(result.output)
    assert info["ssl-core"] == "0.1.0" and info["plugins"] == {"core": "ssl-core 0.1.0"}
    assert info["env"]["SSL_DATA_DIR"] == "/data/x" and "torch" in info and "cuda" in info


def test_env_lists_only_the_variables_ssl_core_reads(cli_runner, ssl_pm, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/etc/ssl/cert.pem")  # OpenSSL's, not ours
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")
    monkeypatch.setenv("SSL_CORE_TRACE_PLUGINS", "0")
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    info = json.loads(cli_runner.ssl("env", "--json").output)
    assert "SSL_CERT_FILE" not in json.dumps(info) and "SSL_CERT_DIR" not in json.dumps(info)
    assert info["env"]["SSL_CORE_TRACE_PLUGINS"] == "0" and info["torch.env"] == {"OMP_NUM_THREADS": "3"}
    text = cli_runner.ssl("env").output
    assert "SSL_CERT" not in text and "SSL_CORE_TRACE_PLUGINS" in text


def _ssl_variables_in_source() -> set[str]:
    """Every string constant in ssl_core that names an ``SSL_*`` variable."""
    found: set[str] = set()
    for path in Path(ssl_core.__file__).parent.rglob("*.py"):
        if "templates" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= set(re.findall(r"^SSL_[A-Z0-9_]*[A-Z0-9]$", node.value))
    return found


def test_env_variable_list_matches_what_the_code_reads():
    assert _ssl_variables_in_source() == set(SSL_CORE_ENV)
    doc = (Path(__file__).resolve().parents[2] / "docs" / "cli.md").read_text()
    for name in SSL_CORE_ENV:
        assert f"`{name}" in doc, name
