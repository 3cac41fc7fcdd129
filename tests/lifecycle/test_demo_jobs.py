"""``ssl demo --jobs``: the split of threads into worker processes, and demos run in workers."""

from __future__ import annotations

import json

import pytest

from ssl_core.lifecycle.demo_jobs import JOB_MEMORY_BYTES, plan_jobs, run_in_workers


@pytest.mark.parametrize(
    ("requested", "domains", "threads", "free", "expected"),
    [
        (None, 6, 2, None, (2, 1)),  # CI / a 2-core laptop: two one-thread processes
        (None, 6, 16, None, (6, 2)),  # more threads than domains: each process gets two
        (None, 6, 1, None, (1, 1)),  # OMP_NUM_THREADS=1: one at a time
        (None, 1, 8, None, (1, 8)),  # one domain keeps every thread
        (None, 6, 16, 3 * JOB_MEMORY_BYTES, (3, 5)),  # memory caps the processes
        (None, 6, 16, 100, (1, 16)),  # less than one process's worth: still one
        (1, 6, 2, None, (1, 2)),  # --jobs 1: serial with every thread
        (4, 2, 8, None, (2, 4)),  # never more processes than domains
        (3, 6, 2, None, (3, 1)),  # more jobs than threads: one thread each
    ],
)
def test_plan_jobs(requested, domains, threads, free, expected):
    assert plan_jobs(requested, domains, threads, free) == expected


def test_plan_jobs_refuses_zero():
    with pytest.raises(ValueError, match="--jobs must be >= 1"):
        plan_jobs(0, 3, 2, None)


@pytest.mark.timeout(180)
def test_demos_in_worker_processes(tmp_path):
    """A worker process runs the toy demo with its thread share; an unknown domain is its own error."""
    outcomes = run_in_workers(
        ["toy", "missing"], tmp_path, quick=True, jobs=2, threads=1, setup="toy_domain:install_alone"
    )
    assert [o.domain for o in outcomes] == ["toy", "missing"]
    toy, missing = outcomes
    assert toy.error is None and toy.threads == 1 and toy.seconds > 0
    assert toy.result.domain == "toy" and toy.result.rows
    assert (tmp_path / "toy" / "checkpoints" / "last.pt").is_file()
    written = json.loads((tmp_path / "toy" / "evaluation.json").read_text())
    assert len(written["rows"]) == len(toy.result.rows)
    assert missing.result is None and "missing" in (missing.error or "")


def test_cli_jobs_option_is_validated(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("demo", "--quick", "--jobs", "0", "--run-dir", str(tmp_path))
    assert result.exit_code == 2 and "--jobs" in result.output and "Traceback" not in result.output


def test_cli_one_domain_runs_in_process_and_reports_the_wall_time(cli_runner, toy_pm, tmp_path):
    result = cli_runner.ssl("demo", "--quick", "--jobs", "4", "--run-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "toy: vs no-ssl:" in result.stdout and "all demos:" in result.stdout


def test_warnings_print_as_one_line(cli_runner, toy_pm, tmp_path, monkeypatch):
    """Under a command, a warning formats as ``warning: <message>`` (no file, line and code line)."""
    import warnings

    import toy_domain

    from ssl_core.utils.verbosity import format_warning

    seen = []

    def record_then_evaluate(*args, **kwargs):
        seen.append(
            warnings.formatwarning("3 cells unseen in training", UserWarning, "/x/data.py", 102, "code")
        )
        seen.append(warnings.formatwarning("old", DeprecationWarning, "/x/data.py", 7))
        return evaluate(*args, **kwargs)

    evaluate = toy_domain.evaluate
    monkeypatch.setattr(toy_domain, "evaluate", record_then_evaluate)
    result = cli_runner.ssl("demo", "--quick", "--run-dir", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert seen == ["warning: 3 cells unseen in training\n", "warning (DeprecationWarning): old\n"]
    assert warnings.formatwarning is not format_warning  # restored after the command


def test_demo_seeds_reach_the_evaluation_and_the_rows_say_so(toy_pm, tmp_path, monkeypatch):
    """``DomainSpec.demo_seeds``: the full demo evaluates with that many seeds and notes it per row;
    ``--quick`` keeps the plugin's quick protocol."""
    import dataclasses

    import toy_domain

    from ssl_core.lifecycle import run_demo

    spec = dataclasses.replace(toy_pm.domain_spec("toy"), demo_seeds=1, quick=("train.steps=2",))
    monkeypatch.setattr(type(toy_pm), "domain_spec", lambda self, domain: spec)
    seen = []

    def record(module, data, ctx):
        seen.append(ctx.seeds)
        return evaluate(module, data, ctx)

    evaluate = toy_domain.evaluate
    monkeypatch.setattr(toy_domain, "evaluate", record)
    monkeypatch.setattr("ssl_core.lifecycle.demo.DEMO_OVERRIDES", ("train.device=cpu", "train.steps=2"))
    rows = run_demo("toy", tmp_path / "full").rows
    assert seen == [1] and all("1 seed(s) in the demo" in r.extra["demo"] for r in rows)
    quick = run_demo("toy", tmp_path / "quick", quick=True).rows
    assert seen == [1, None] and all("demo" not in r.extra for r in quick)


def test_demo_seeds_must_be_positive():
    from ssl_core import DomainSpec

    with pytest.raises(ValueError, match="demo_seeds"):
        DomainSpec(recipe="r", evaluate="m:f", demo_seeds=0)


def test_longest_first_and_makespan():
    from ssl_core.lifecycle.demo_jobs import longest_first, makespan

    costs = {
        "battery": 66.0,
        "medical": 140.0,
        "speech": 80.0,
        "tabular": 137.0,
        "traffic": 95.0,
        "new": None,
    }
    order = longest_first(costs)
    assert order == ["new", "medical", "tabular", "traffic", "speech", "battery"]
    # two processes, each task to the one that frees up first: [140], [137] -> [140], [137, 95]
    # -> [140, 80], [137, 95] -> [140, 80, 66], [137, 95]: 286 s against 232 s
    assert makespan([140.0, 137.0, 95.0, 80.0, 66.0], 2) == 286.0
    assert makespan([3.0, 2.0, 2.0], 2) == 4.0 and makespan([3.0, 2.0, 2.0], 1) == 7.0
    assert makespan([], 3) == 0.0


@pytest.mark.timeout(120)
def test_a_worker_that_dies_is_its_domains_error(tmp_path):
    (outcome,) = run_in_workers(
        ["toy"], tmp_path, quick=True, jobs=1, threads=1, setup="toy_domain:die_in_worker"
    )
    assert outcome.result is None and outcome.error == "its worker process died (exit code 3)"


@pytest.mark.timeout(120)
def test_ctrl_c_stops_every_worker_at_once(tmp_path):
    """Ctrl-C reaches the parent (workers ignore it): it stops the running workers and re-raises."""
    import _thread
    import multiprocessing
    import signal
    import threading
    import time

    # a background job (CI under nohup, `make test &`) starts with SIGINT ignored, and then
    # interrupt_main does nothing: install Python's handler, as in a terminal, for this test
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(5.0, _thread.interrupt_main)
    timer.start()
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            run_in_workers(
                ["a", "b", "c"], tmp_path, quick=True, jobs=2, threads=1, setup="toy_domain:hang_in_worker"
            )
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.perf_counter() - start < 30  # not the 600 s the workers would sleep
    assert not [p for p in multiprocessing.active_children() if p.is_alive()]


@pytest.mark.timeout(120)
def test_a_worker_that_exits_cleanly_without_reporting_is_an_error_not_a_hang(tmp_path):
    (outcome,) = run_in_workers(
        ["toy"], tmp_path, quick=True, jobs=1, threads=1, setup="toy_domain:exit_quietly_in_worker"
    )
    assert outcome.error == "its worker process died (exit code 0)"
