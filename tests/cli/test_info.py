"""``ssl plugins``, ``ssl components``, ``ssl env``."""

from __future__ import annotations

import json


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
