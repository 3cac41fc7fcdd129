"""``ssl demo``: every installed lifecycle domain's default, one summary table, failures reported."""

from __future__ import annotations


def test_demo_prints_one_table(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("demo", "--quick", "--run-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("diff [95% CI]") == 1  # one table for all demos
    assert "toy: vs no-ssl:" in result.stdout and "toy label" in result.stdout
    assert (tmp_path / "toy" / "checkpoints" / "last.pt").is_file()
    assert (tmp_path / "toy" / "no-ssl" / "checkpoints" / "last.pt").is_file()


def test_demo_failure_is_reported_and_filter_works(cli_runner, toy_pm, tmp_path, monkeypatch):
    import toy_domain

    def explode(*_args, **_kwargs):
        raise RuntimeError("toy evaluation exploded")

    monkeypatch.setattr(toy_domain, "evaluate", explode)
    result = cli_runner.ssl("demo", "--quick", "--domain", "toy", "--run-dir", str(tmp_path))
    assert result.exit_code == 1
    assert "demo toy FAILED: RuntimeError: toy evaluation exploded" in result.stderr


def test_demo_without_demos(cli_runner, ssl_pm, tmp_path):
    result = cli_runner.ssl("demo", "--domain", "nothing", "--run-dir", str(tmp_path))
    assert result.exit_code == 1 and "no demos installed for domain 'nothing'" in result.output
