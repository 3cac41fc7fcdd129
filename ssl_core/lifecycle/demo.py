"""A domain's demo: its embedded default pretrained (with its baselines) then evaluated.

``ssl demo`` runs this for every installed plugin with a lifecycle; ``--quick`` adds the plugin's
``DomainSpec.quick`` overrides (a seconds-long smoke run, also what ``check_plugin`` uses).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from ssl_core.evaluation.report import DemoResult
from ssl_core.lifecycle.options import PretrainOptions
from ssl_core.lifecycle.pretraining import pretrain
from ssl_core.lifecycle.runs import evaluate_run

__all__ = ["DEMO_OVERRIDES", "demo_options", "run_demo"]

DEMO_OVERRIDES = ("train.device=cpu",)
"""Every demo trains on the CPU; its progress is one bar (or a few plain lines) per phase, named
``<domain> pretrain`` / ``<domain> baseline <name>`` (``-q`` hides it)."""


def demo_options(domain: str, run_dir: Path, *, quick: bool) -> PretrainOptions:
    """The pretrain options of ``domain``'s demo into ``run_dir`` (quick: the plugin's overrides)."""
    from ssl_core.plugins.manager import get_plugin_manager

    spec = get_plugin_manager().domain_spec(domain)
    sets = (*DEMO_OVERRIDES, *(spec.quick if quick else ()))
    return PretrainOptions(run_dir=run_dir, force=True, sets=sets, report=False)


def run_demo(domain: str, run_dir: Path, *, quick: bool = False, echo: object = None) -> DemoResult:
    """Pretrain ``domain``'s embedded default into ``run_dir``, evaluate it, write its ``report.html``.

    The evaluation runs the plugin's ``DomainSpec.demo_seeds`` seeds when it sets them (see there).
    """
    from ssl_core.plugins.manager import get_plugin_manager
    from ssl_core.report import write_report

    quiet = echo if callable(echo) else (lambda _line: None)
    pretrain(domain, demo_options(domain, run_dir, quick=quick), echo=quiet)
    seeds = None if quick else get_plugin_manager().domain_spec(domain).demo_seeds
    rows = evaluate_run(run_dir, domain=domain, quick=quick, seeds=seeds)
    if seeds is not None:  # the row says that the demo evaluated with fewer seeds than the recipe
        note = f"{seeds} seed(s) in the demo; ssl-{domain} evaluate RUN runs the full protocol"
        rows = [dataclasses.replace(r, extra={**r.extra, "demo": note}) for r in rows]
    quiet(f"report: {write_report(run_dir)}")
    return DemoResult(domain=domain, rows=rows, run_dir=run_dir)
