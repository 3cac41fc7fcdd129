"""What a plugin declares so that the core runs its whole lifecycle (no torch import here).

A domain plugin gives its :class:`~ssl_core.plugins.declare.PluginTable` one :class:`DomainSpec`;
the core then builds ``ssl-<domain> pretrain / evaluate / embed / demo`` (``ssl_core.cli.domain``),
``ssl eval RUN`` and ``ssl demo`` from it, and ``ssl_core.testing.check_plugin`` verifies it::

    TABLE = PluginTable(
        name="tabular", package="ssl_plugin_tabular", cli=".cli:group",
        default_config=".config:default_config",
        lifecycle=DomainSpec(
            recipe="tjepa",                              # the recipe ``pretrain`` trains
            evaluate=".evaluate:evaluate",               # (module, data, ctx) -> list[ComparisonRow]
            embed_input=".data:embed_input",             # (path, loaded_run) -> dataset or tensors
            options=("target", "categorical"),           # args fields shown as pretrain options
            quick=("train.steps=3", "recipe_args.dim=8"),
        ),
        components=[...],
    )

References starting with ``.`` are relative to the table's package, as for components.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["DomainSpec"]


@dataclass(frozen=True, kw_only=True)
class DomainSpec:
    """The domain lifecycle of a plugin: which recipe ``pretrain`` trains and how runs are evaluated.

    Attributes:
        recipe: name of the main recipe component (the registry key is ``"<domain>/<recipe>"``);
            its ``config_cls`` is the args dataclass the CLI options come from.
        evaluate: ``"module:attr"`` of ``evaluate(module, data, ctx) -> list[ComparisonRow]``:
            ``data`` is the recipe's data object (restored from the run directory), ``ctx`` an
            :class:`ssl_core.lifecycle.EvalContext` (run directory, device, baseline runs, quick).
        embed_input: ``"module:attr"`` of ``load(path, loaded_run) -> Dataset | Mapping[str, Tensor]``
            reading ``embed``'s INPUT in the domain's format with the run's fitted state.
        options: fields of the args dataclass offered as ``pretrain --<field>`` options (type,
            help and choices from the dataclass; see ``ssl_core.lifecycle.options``).
        data_field: the args field that ``--data`` sets (an absolute path string).
        quick: ``--set`` overrides for a seconds-long run (``ssl demo --quick``, ``check_plugin``).
        baselines: runs trained beside the main run by ``pretrain`` into ``RUN_DIR/<name>``, each
            the same config plus its overrides (e.g. ``{"no-ssl": ("recipe_args.ssl=false",)}``);
            ``evaluate`` gets their modules as ``ctx.baselines[name]``.
        examples: lines for ``ssl-<domain> --help`` (what a user types).
        alarm_advice: the domain's own knobs to try, per training alarm (``"collapse"``,
            ``"stalled"``; see ``ssl_core.monitors.alarms``), appended to the generic advice.
        report_figures: ``"module:attr"`` of ``figures(run_dir, loaded_run) -> list[ReportFigure]``:
            the domain's own figures in ``report.html`` (a forecast against ground truth, a
            spectrogram ...), after the core's generic ones (see :mod:`ssl_core.report`).
        demo_seeds: evaluation seeds of ``ssl demo`` (``ctx.seeds``; None: the recipe's own). A
            domain whose full evaluation would push the six-domain demo past a few minutes sets 1:
            its rows then pair the test items (bootstrap) instead of seeds, and say so (``n`` unit).
        demo_seconds: about how long the full demo takes with one thread (measured on a 2-core
            laptop-class CPU); ``ssl demo --jobs`` starts the longest first and prints the estimate.
    """

    recipe: str
    evaluate: str
    embed_input: str | None = None
    options: Sequence[str] = ()
    data_field: str = "data"
    quick: Sequence[str] = ()
    baselines: Mapping[str, Sequence[str]] = field(default_factory=dict)
    examples: str = ""
    alarm_advice: Mapping[str, str] = field(default_factory=dict)
    report_figures: str | None = None
    demo_seeds: int | None = None
    demo_seconds: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(self.options))
        object.__setattr__(self, "quick", tuple(self.quick))
        object.__setattr__(self, "baselines", {k: tuple(v) for k, v in dict(self.baselines).items()})
        for name in self.baselines:
            if not name or "/" in name or name in {"checkpoints", "plots"}:
                raise ValueError(f"DomainSpec.baselines: {name!r} is not a usable folder name")
        object.__setattr__(self, "alarm_advice", dict(self.alarm_advice))
        if self.demo_seeds is not None and self.demo_seeds < 1:
            raise ValueError(f"DomainSpec.demo_seeds: must be >= 1 or None, got {self.demo_seeds}")
        if self.demo_seconds is not None and not self.demo_seconds > 0:
            raise ValueError(f"DomainSpec.demo_seconds: must be > 0 or None, got {self.demo_seconds}")
        unknown = set(self.alarm_advice) - {"collapse", "stalled"}
        if unknown:
            raise ValueError(
                f"DomainSpec.alarm_advice: unknown alarm(s) {sorted(unknown)} (collapse, stalled)"
            )

    def qualified(self, qualify: Callable[[str], str]) -> DomainSpec:
        """A copy whose ``"module:attr"`` references went through ``qualify`` (made absolute)."""
        embed = qualify(self.embed_input) if self.embed_input else None
        figures = qualify(self.report_figures) if self.report_figures else None
        return dataclasses.replace(
            self, evaluate=qualify(self.evaluate), embed_input=embed, report_figures=figures
        )
