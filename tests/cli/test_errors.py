"""The CLI's error boundary (``ssl_core.cli.errors``): exit codes, logged tracebacks, ``--debug``."""

from __future__ import annotations

import errno
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ssl_core.cli.errors import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, FriendlyGroup, exit_code
from ssl_core.errors import CheckpointError, ConfigError, DataError, PluginError


def _group(exc: BaseException) -> click.Group:
    group = FriendlyGroup(name="toy")

    @group.command()
    def fail() -> None:
        raise exc

    return group


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (ConfigError("c.yaml", "train.steps", "must be >= 1"), EXIT_USAGE),
        (PluginError("plugin x: broken"), EXIT_USAGE),
        (DataError("x.csv", "col", "not a number"), EXIT_FAILURE),
        (CheckpointError("last.pt: damaged"), EXIT_FAILURE),
    ],
)
def test_ssl_core_errors_are_one_line_with_their_exit_code(exc: Exception, code: int) -> None:
    assert exit_code(exc) == code
    result = CliRunner().invoke(_group(exc), ["fail"])
    assert result.exit_code == code and result.output == f"Error: {exc}\n"


def test_unexpected_error_writes_a_log_and_debug_shows_it(tmp_path: Path) -> None:
    env = {"SSL_CORE_LOG_DIR": str(tmp_path)}
    result = CliRunner().invoke(_group(RuntimeError("boom\nsecond line")), ["fail"], env=env)
    assert result.exit_code == EXIT_FAILURE and "Traceback" not in result.output
    assert result.output.startswith("Error: unexpected RuntimeError: boom; the traceback is in ")
    (log,) = tmp_path.glob("error-*.log")
    assert str(log) in result.output
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "RuntimeError: boom" in text
    for args, extra in ((["--debug", "fail"], {}), (["fail"], {"SSL_CORE_DEBUG": "1"})):
        shown = CliRunner().invoke(_group(RuntimeError("boom")), args, env={**env, **extra})
        assert isinstance(shown.exception, RuntimeError)  # re-raised: Python prints the traceback


def test_os_errors_name_the_reason_and_the_file(tmp_path: Path) -> None:
    exc = OSError(errno.ENOSPC, "No space left on device", "/runs/x/last.pt")
    result = CliRunner().invoke(_group(exc), ["fail"], env={"SSL_CORE_LOG_DIR": str(tmp_path)})
    assert result.exit_code == EXIT_FAILURE
    assert result.output.startswith("Error: No space left on device: /runs/x/last.pt (OSError, errno 28)")


def test_keyboard_interrupt_exits_130_with_one_line() -> None:
    result = CliRunner().invoke(_group(KeyboardInterrupt()), ["fail"])
    assert result.exit_code == EXIT_INTERRUPTED and result.output == "Interrupted.\n"


def test_unwritable_log_location_still_gives_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr("ssl_core.cli.errors._log_dirs", lambda: [blocker / "logs"])
    result = CliRunner().invoke(_group(ValueError("odd")), ["fail"])
    assert result.exit_code == EXIT_FAILURE
    assert (
        result.output
        == "Error: unexpected ValueError: odd; no log file could be written (rerun with --debug to show it)\n"
    )


def test_debug_on_the_root_reaches_domain_groups(cli_runner, template_plugin, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SSL_CORE_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr(
        "ssl_core.lifecycle.pretrain", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("deep"))
    )
    quiet = cli_runner.ssl("template", "pretrain", "--run-dir", str(tmp_path / "r"))
    assert quiet.exit_code == 1 and "unexpected RuntimeError: deep" in quiet.output
    for args in (["--debug", "template", "pretrain"], ["template", "--debug", "pretrain"]):
        shown = cli_runner.ssl(*args, "--run-dir", str(tmp_path / "r"))
        assert isinstance(shown.exception, RuntimeError), shown.output
