"""``-q`` / ``-v`` on ``ssl`` and the domain commands; plain progress lines off a TTY; the small-data
line; ``evaluate --quick/--seeds``; the comparison table within 100 columns."""

from __future__ import annotations

import re

from ssl_core.evaluation.timing import estimate_line, timed
from ssl_core.utils import verbosity

PROGRESS = re.compile(r"^toy (pretrain|baseline no-ssl): step \d+/\d+ \(\d+%\)")
PROGRESS_ON = ("--set", "train.progress=true", "--steps", "20")


def _progress_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if PROGRESS.match(line)]


def test_default_prints_plain_progress_per_phase_off_a_tty(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("toy", "pretrain", "--run-dir", str(tmp_path / "r"), *PROGRESS_ON)
    assert result.exit_code == 0, result.output
    lines = _progress_lines(result.stderr)
    assert {line.split(":")[0] for line in lines} == {"toy pretrain", "toy baseline no-ssl"}
    assert 2 <= len(lines) <= 2 * 10 and all("step/s" in line for line in lines)
    assert f"run directory: {tmp_path / 'r'}" in result.stdout  # results on stdout, the rest on stderr
    assert "\r" not in result.output  # no bar redraws in a log


def test_quiet_hides_progress_and_information_but_not_results(cli_runner, toy_pm, tmp_path):
    for argv in (
        ("-q", "toy", "pretrain", "--run-dir", str(tmp_path / "a"), *PROGRESS_ON),
        ("toy", "-q", "pretrain", "--run-dir", str(tmp_path / "b"), *PROGRESS_ON),
        ("toy", "pretrain", "-q", "--run-dir", str(tmp_path / "c"), *PROGRESS_ON),
    ):
        result = cli_runner.ssl(*argv)
        assert result.exit_code == 0, result.output
        assert result.stderr == "", argv
        assert result.stdout.strip().startswith("run directory:")
    assert verbosity.level() == verbosity.NORMAL  # one invocation does not leak into the next


def test_quiet_still_prints_errors(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl(
        "-q", "toy", "pretrain", "--run-dir", str(tmp_path / "r"), "--set", "train.batch_size=0"
    )
    assert result.exit_code == 2 and "Error: " in result.stderr and "train.batch_size" in result.stderr


def test_verbose_prints_every_logged_step(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("-v", "toy", "pretrain", "--run-dir", str(tmp_path / "r"), *PROGRESS_ON)
    assert result.exit_code == 0, result.output
    assert len(_progress_lines(result.stderr)) == 2 * 20  # toy logs every step


def test_small_data_line_and_explicit_batch_error(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("toy", "pretrain", "--run-dir", str(tmp_path / "r"), "--set", "recipe_args.n=20")
    assert result.exit_code == 0, result.output
    assert "small dataset (10 training samples): train.batch_size 16 -> 2" in result.stderr
    assert "--set train.batch_size=N" in result.stderr
    explicit = ("--set", "recipe_args.n=20", "--set", "train.batch_size=16")
    result = cli_runner.ssl("toy", "pretrain", "--run-dir", str(tmp_path / "e"), *explicit)
    assert result.exit_code == 2
    assert "train.batch_size: global batch 16 is larger than the dataset (10 samples)" in result.stderr
    assert "Traceback" not in result.output and not (tmp_path / "e").exists()


def test_evaluate_quick_and_seeds_reach_the_plugin_and_fit_100_columns(
    cli_runner, toy_pm, tmp_path, monkeypatch
):
    import toy_domain

    seen = []
    original = toy_domain.evaluate

    def spy(module, data, ctx):
        seen.append((ctx.quick, ctx.seeds))
        return original(module, data, ctx)

    monkeypatch.setattr(toy_domain, "evaluate", spy)
    run = tmp_path / "r"
    assert cli_runner.ssl("-q", "toy", "pretrain", "--run-dir", str(run)).exit_code == 0
    for args, expected in ((("--quick",), (True, None)), (("--seeds", "5"), (False, 5))):
        result = cli_runner.ssl("toy", "evaluate", str(run), *args)
        assert result.exit_code == 0, result.output
        assert seen[-1] == expected
        assert max(len(line) for line in result.stdout.splitlines()) <= 100
        assert "diff [95% CI]" in result.stdout


def test_a_long_evaluation_prints_its_expected_duration():
    ticks = iter([0.0, 30.0, 31.0, 32.0])
    said: list[str] = []
    assert list(timed([0, 1, 2], label="toy evaluate", echo=said.append, clock=lambda: next(ticks))) == [
        0,
        1,
        2,
    ]
    assert said == [estimate_line("toy evaluate", 30.0, 1, 3)]
    assert (
        said[0] == "toy evaluate: about 60 s more (2 more seeds at ~30 s each); faster: --quick or --seeds 1"
    )
    quick = iter([0.0, 1.0, 2.0, 3.0])
    said.clear()
    list(timed([0, 1, 2], echo=said.append, clock=lambda: next(quick)))
    assert said == []  # short: nothing to announce
