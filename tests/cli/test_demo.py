"""``ssl demo``: every registered demo, one summary table, failures reported."""

from __future__ import annotations

import types
from pathlib import Path

from ssl_core import hookimpl
from ssl_core.evaluation.report import ComparisonRow, DemoResult
from ssl_core.plugins.manifest import PluginManifest


def _demo_plugin(domain: str, fail: bool = False) -> types.ModuleType:
    def demo(run_dir: Path, *, quick: bool = False) -> DemoResult:
        if fail:
            raise RuntimeError(f"{domain} demo exploded")
        run_dir.mkdir(parents=True)
        row = ComparisonRow(f"task-{'quick' if quick else 'full'}", "acc", (0.9, 0.01), (0.5, 0.02))
        return DemoResult(domain, [row], run_dir)

    mod = types.ModuleType(f"demo_{domain}")
    mod.PLUGIN = PluginManifest(domain, domain)
    mod.ssl_register_demos = hookimpl(lambda registry: registry.add(f"{domain}/default", demo))
    return mod


def test_demo_prints_one_table(cli_runner, ssl_pm, tmp_path):
    with ssl_pm.registered(_demo_plugin("alpha")), ssl_pm.registered(_demo_plugin("beta")):
        result = cli_runner.ssl("demo", "--quick", "--run-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ssl better") == 1  # one table for all demos
    assert "alpha: task-quick" in result.stdout and "beta: task-quick" in result.stdout
    assert (tmp_path / "alpha").is_dir() and (tmp_path / "beta").is_dir()


def test_demo_domain_filter_and_failure(cli_runner, ssl_pm, tmp_path):
    with ssl_pm.registered(_demo_plugin("alpha")), ssl_pm.registered(_demo_plugin("bad", fail=True)):
        only = cli_runner.ssl("demo", "--domain", "alpha", "--run-dir", str(tmp_path / "a"))
        assert only.exit_code == 0 and "alpha: task-full" in only.stdout
        both = cli_runner.ssl("demo", "--quick", "--run-dir", str(tmp_path / "b"))
    assert both.exit_code == 1
    assert "alpha: task-quick" in both.stdout  # the good demo's table is still printed
    assert "demo bad/default FAILED: RuntimeError: bad demo exploded" in both.stderr


def test_demo_without_demos(cli_runner, ssl_pm, tmp_path):
    result = cli_runner.ssl("demo", "--domain", "nothing", "--run-dir", str(tmp_path))
    assert result.exit_code == 1 and "no demos registered for domain 'nothing'" in result.output
