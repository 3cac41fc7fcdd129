"""The progress display: one named tqdm bar per phase on a TTY, about ten plain lines per phase
otherwise (with rate and ETA), every logged step when verbose, nothing when quiet."""

from __future__ import annotations

import io
import re

import pytest

from ssl_core.engine.progress import PLAIN_LINES, Progress, format_eta
from ssl_core.lifecycle import PretrainOptions, pretrain
from ssl_core.utils import verbosity

PLAIN = re.compile(
    r"^(?P<desc>.+): step (?P<step>\d+)/(?P<total>\d+) \((?P<pct>\d+)%\)(?P<values>.*) \[(?P<rate>[\d.e+-]+) step/s(?P<eta>, ETA \S+)?\]$"
)


def _run(total: int, every_log: bool = False, log_every: int = 1) -> list[str]:
    out = io.StringIO()
    progress = Progress(total, enabled=True, stream=out, desc="toy pretrain", every_log=every_log)
    for step in range(1, total + 1):
        progress.update(step, {"loss": 1.0 / step} if step % log_every == 0 else None)
    progress.close()
    return out.getvalue().splitlines()


def test_plain_lines_are_about_ten_per_phase_with_rate_and_eta() -> None:
    lines = _run(400, log_every=20)
    assert len(lines) == PLAIN_LINES
    parsed = [PLAIN.match(line) for line in lines]
    assert all(parsed), lines
    assert [int(m["step"]) for m in parsed if m] == list(range(40, 401, 40))
    assert all(m["desc"] == "toy pretrain" and m["total"] == "400" for m in parsed if m)
    assert all(m["eta"] for m in parsed[:-1] if m) and parsed[-1]["eta"] is None  # type: ignore[index]
    assert "loss=0.025" in lines[0]  # the last logged values (step 40)


def test_short_runs_print_every_step_and_verbose_every_logged_step() -> None:
    assert len(_run(3)) == 3
    lines = _run(100, every_log=True, log_every=5)
    assert len(lines) == 100 // 5  # every log step (the tenths coincide with them)
    assert all(PLAIN.match(line) for line in lines)


def test_disabled_shows_nothing() -> None:
    out = io.StringIO()
    Progress(10, enabled=False, stream=out).update(2, {"loss": 1.0})
    assert out.getvalue() == ""


def test_tqdm_bar_names_the_phase_and_shows_rate_and_eta() -> None:
    pytest.importorskip("tqdm", reason="the progress extra (tqdm) is not installed")
    out = io.StringIO()
    progress = Progress(4, enabled=True, stream=out, bar=True, desc="toy pretrain")
    progress.update(2, {"loss": 0.5})
    progress.close()
    text = out.getvalue()
    assert "toy pretrain" in text and "2/4" in text and "step/s" in text and "<" in text  # elapsed<ETA


def test_format_eta() -> None:
    assert [format_eta(s) for s in (0, 42.4, 185, 3720)] == ["0s", "42s", "3m05s", "1h02m"]


def _pretrain_err(tmp_path, capsys, level: int) -> str:
    opts = PretrainOptions(run_dir=tmp_path / f"run{level}", sets=("train.progress=true", "train.steps=20"))
    with verbosity.using_level(level):
        pretrain("toy", opts)
    return capsys.readouterr().err


def test_pretrain_shows_one_named_phase_per_run_quiet_shows_none(toy_pm, tmp_path, capsys) -> None:
    err = _pretrain_err(tmp_path, capsys, verbosity.NORMAL)
    phases = {m["desc"] for m in map(PLAIN.match, err.splitlines()) if m}
    assert phases == {"toy pretrain", "toy baseline no-ssl"}
    assert sum(1 for line in err.splitlines() if PLAIN.match(line)) == 2 * PLAIN_LINES
    assert "finished step 20" in err
    quiet = _pretrain_err(tmp_path, capsys, verbosity.QUIET)
    assert quiet == ""
    loud = _pretrain_err(tmp_path, capsys, verbosity.VERBOSE)
    assert sum(1 for line in loud.splitlines() if PLAIN.match(line)) == 2 * 20  # log_every=1
