"""The bad-input corpus kit: one table row per bad input, run through the real ``ssl`` CLI.

A :class:`BadInput` is a command line, the files to create first, the expected exit code and a
substring of the expected message. :func:`run_bad_input` runs it in-process through the ``ssl``
root (``ssl <domain> ...`` is exactly ``ssl-<domain> ...``) and asserts the promises of
``docs/reliability.md``: the exit code, the message, no ``Traceback`` in the output, no exception
escaping the CLI, and no file left behind by a failed command (no new path at all, and no temporary
file anywhere). The core's cases are in ``tests/bad_inputs/``; each plugin adds its own in its suite::

    from ssl_core.testing import BadInput, run_bad_input

    CASES = [BadInput("empty-csv", ("tabular", "pretrain", "--data", "{tmp}/x.csv"), 1, "no rows",
                      files={"x.csv": ""})]

    @pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
    def test_bad_input(case, tmp_path):
        run_bad_input(case, tmp_path)
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["BadInput", "core_run", "run_bad_input", "snapshot"]

PLUGIN_ENV = ("SSL_CORE_LOAD_PLUGINS", "SSL_CORE_DISABLE_PLUGINS", "SSL_CORE_STRICT_PLUGINS")


@dataclass(frozen=True)
class BadInput:
    """One bad input and the clean outcome it must have.

    Attributes:
        id: a short unique name (the pytest id).
        argv: the ``ssl`` arguments; ``{tmp}`` is replaced by the case's own folder.
        code: the expected exit code (2 usage/config, 1 data/runtime, 130 interrupted, 0 recovered).
        message: a substring the output must contain (``{tmp}`` replaced too).
        files: files to create first, relative to ``{tmp}`` (``str`` as UTF-8 text, or ``bytes``).
        env: environment variables for the command.
        prepare: called with the case's folder after ``files`` are written (e.g. train a tiny run and
            damage its checkpoint).
        fault: a context manager factory active while the command runs (e.g. a mocked full disk).
        may_create: paths (relative to ``{tmp}``) the command may add although it fails.
    """

    id: str
    argv: tuple[str, ...]
    code: int
    message: str
    files: Mapping[str, str | bytes] = field(default_factory=dict)
    env: Mapping[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    fault: Callable[[], contextlib.AbstractContextManager[Any]] | None = None
    may_create: tuple[str, ...] = ()


def core_run(root: Path) -> None:
    """A ``prepare`` step: a finished 2-step ``core/synthetic`` run in ``root/run`` (about a second).

    For cases about run directories: another plugin's command on it must be a one-line error.
    """
    from ssl_core.config import load_run_config
    from ssl_core.engine import train

    args = {"n_train": 128, "n_eval": 32, "hidden": 8, "embed_dim": 4, "proj_dim": 8}
    settings = {"steps": 2, "batch_size": 32, "device": "cpu", "progress": False}
    train(load_run_config({"recipe": "core/synthetic", "recipe_args": args, "train": settings}), root / "run")


def snapshot(root: Path) -> set[str]:
    """Every path under ``root``, relative, as strings."""
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@contextlib.contextmanager
def _fresh_plugins(env: Mapping[str, str]) -> Iterator[None]:
    """A plugin manager rebuilt under ``env`` when it selects plugins (restored afterwards)."""
    from ssl_core.plugins.manager import reset_plugin_manager

    if not any(k in env for k in PLUGIN_ENV):
        yield
        return
    previous = reset_plugin_manager(None)
    try:
        yield
    finally:
        reset_plugin_manager(previous)


def _write_files(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def run_bad_input(case: BadInput, tmp_path: Path) -> Any:
    """Run ``case`` in ``tmp_path/case`` and assert its clean outcome; returns the click ``Result``."""
    from click.testing import CliRunner

    from ssl_core.cli.root import cli

    root, logs = tmp_path / "case", tmp_path / "logs"
    root.mkdir(parents=True, exist_ok=True)
    _write_files(root, case.files)
    if case.prepare is not None:
        case.prepare(root)
    before = snapshot(root)
    argv = [a.replace("{tmp}", str(root)) for a in case.argv]
    env = {"SSL_CORE_LOG_DIR": str(logs), "COLUMNS": "200", **case.env}
    fault = case.fault() if case.fault is not None else contextlib.nullcontext()
    cwd = Path.cwd()
    os.chdir(root)
    try:
        with _fresh_plugins(case.env), fault:
            result = CliRunner().invoke(cli, argv, env=env, catch_exceptions=True)
    finally:
        os.chdir(cwd)
    output = result.output
    context = f"ssl {' '.join(argv)}\n--- output ---\n{output}"
    assert result.exit_code == case.code, f"exit code {result.exit_code} != {case.code}\n{context}"
    assert "Traceback" not in output, f"a traceback was printed\n{context}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"an exception escaped the CLI: {result.exception!r}\n{context}"
    )
    message = case.message.replace("{tmp}", str(root))
    assert message in output, f"expected {message!r} in the output\n{context}"
    after = snapshot(root)
    temporary = sorted(p for p in after if Path(p).name.endswith(".tmp"))
    assert not temporary, f"temporary files left behind: {temporary}\n{context}"
    if case.code != 0:
        allowed = {str(Path(p)) for p in case.may_create}
        added = sorted(p for p in after - before if not any(p == a or p.startswith(a + "/") for a in allowed))
        assert not added, f"a failed command left files behind: {added}\n{context}"
    return result
