"""``ssl demo``: every installed plugin's embedded default, pretrained then evaluated, one table."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import click

from ssl_core.cli.errors import CONTEXT_SETTINGS
from ssl_core.cli.loudness import add_loudness


def run_demos(
    root: Path, *, quick: bool, domain: str | None = None, jobs: int | None = 1
) -> tuple[list[Any], list[tuple[str, str]], dict[str, float]]:
    """Each plugin's demo under ``root/<domain>``; returns (results, failures, seconds per domain).

    ``jobs`` (None: auto, see :func:`ssl_core.lifecycle.demo_jobs.plan_jobs`) above 1 runs the
    demos in that many worker processes sharing this process's threads; 1 runs them here, in turn.
    """
    import torch

    from ssl_core.lifecycle.demo_jobs import demo_worker, longest_first, makespan, plan_jobs, run_in_workers
    from ssl_core.plugins.manager import get_plugin_manager
    from ssl_core.resources import available_memory
    from ssl_core.utils.verbosity import info

    specs = {d: s for d, s in sorted(get_plugin_manager().domain_specs().items()) if domain in (None, d)}
    threads = torch.get_num_threads()
    jobs, per_job = plan_jobs(jobs, len(specs), threads, available_memory()[0])
    if jobs > 1:
        costs = {d: None if quick else s.demo_seconds for d, s in specs.items()}  # one-thread seconds
        order = longest_first(costs)
        known = [c for d in order if (c := costs[d]) is not None]
        about = (
            f", about {makespan(known, jobs) / 60:.0f} min"
            if len(known) == len(order) and per_job == 1
            else ""
        )
        info(f"{len(specs)} demos in {jobs} processes of {per_job} thread(s) each{about} (--jobs 1: in turn)")
        by_name = {o.domain: o for o in run_in_workers(order, root, quick=quick, jobs=jobs, threads=per_job)}
        outcomes = [by_name[d] for d in specs]
    else:
        outcomes = [demo_worker(name, root / name, quick) for name in specs]  # here, in turn
    results = [o.result for o in outcomes if o.error is None]
    failures = [(o.domain, o.error) for o in outcomes if o.error is not None]
    return results, failures, {o.domain: o.seconds for o in outcomes}


@click.command(context_settings=CONTEXT_SETTINGS)
@click.option("--quick", is_flag=True, help="A few steps per demo (smoke test), not the real default.")
@click.option("--domain", default=None, help="Only this domain's demo.")
@click.option(
    "--run-dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Parent of the demo run directories (default: runs/demo/<UTC timestamp>).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Demos run at once, each in its own process with a share of the threads "
    "(default: one per thread, within memory; 1: one after the other).",
)
def demo(quick: bool, domain: str | None, root: Path | None, jobs: int | None) -> None:
    """Pretrain and evaluate every installed plugin's embedded default; print SSL versus no-SSL.

    \b
    Example: ssl demo            # six plugins: about five minutes on 2 CPU cores
             ssl demo --quick    # seconds: checks that everything runs
             ssl demo --jobs 1   # one domain after the other, each with every thread
    """
    from ssl_core.cli.domain import default_run_dir, format_rows

    root = root or default_run_dir("demo")
    start = time.perf_counter()
    results, failures, seconds = run_demos(root, quick=quick, domain=domain, jobs=jobs)
    if not results and not failures:
        raise click.ClickException("no demos installed" + (f" for domain {domain!r}" if domain else ""))
    rows = [
        dataclasses.replace(r, extra={"domain": res.domain, **r.extra}) for res in results for r in res.rows
    ]
    click.echo(format_rows(rows))
    click.echo("\n" + "\n".join(f"{name}: {s:.1f} s" for name, s in seconds.items()))
    click.echo(f"all demos: {time.perf_counter() - start:.1f} s wall")
    click.echo(f"run directories under {root} (each with its report.html)")
    if failures:
        for name, error in failures:
            click.echo(f"demo {name} FAILED: {error}", err=True)
        raise click.ClickException(f"{len(failures)} of {len(seconds)} demos failed")


add_loudness(demo)  # -q / -v on the command too (ssl_core.cli.loudness)
