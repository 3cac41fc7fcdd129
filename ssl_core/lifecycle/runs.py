"""Reading a run directory back: its owner, ``evaluate`` and ``embed`` (one path for every command).

``ssl eval RUN``, ``ssl-<domain> evaluate RUN`` and ``ssl demo`` all call :func:`evaluate_run`, so
they print the same table for the same run. A run records its recipe (``config.yaml``), hence its
plugin; a command of another plugin on it is a one-line error naming both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ssl_core.errors import ConfigError, PluginError

if TYPE_CHECKING:
    import numpy as np

    from ssl_core.engine.run import LoadedRun
    from ssl_core.evaluation.report import ComparisonRow
    from ssl_core.interfaces import SSLModule
    from ssl_core.plugins.lifecycle import DomainSpec
    from ssl_core.schema import RunConfig

__all__ = ["EvalContext", "embed_input", "evaluate_run", "load_owned_run", "run_domain"]


@dataclass
class EvalContext:
    """What a plugin's ``evaluate(module, data, ctx)`` may use besides the module and the data.

    Attributes:
        run_dir: the run directory being evaluated.
        config: its resolved config.
        device: where the module lives.
        baselines: the modules of the baseline runs the plugin declared (``DomainSpec.baselines``),
            trained by ``pretrain`` into ``run_dir/<name>``.
        quick: a seconds-long evaluation (``--quick``, ``ssl demo --quick``): fewer seeds, epochs.
        seeds: number of evaluation seeds asked for (``--seeds``), ``None`` for the plugin's default.
    """

    run_dir: Path
    config: RunConfig
    device: torch.device
    baselines: dict[str, SSLModule] = field(default_factory=dict)
    quick: bool = False
    seeds: int | None = None

    def timed(self, seeds: Iterable[int]) -> Iterator[int]:
        """``seeds``, printing the expected duration after the first when the rest is long
        (:func:`ssl_core.evaluation.timing.timed`): wrap the loop over evaluation seeds with it."""
        from ssl_core.evaluation.timing import timed

        domain = self.config.recipe.split("/", 1)[0]
        return timed(seeds, label=f"{domain} evaluate")

    def random_init(self, seed: int = 0) -> SSLModule:
        """The same architecture with fresh weights (seeded): the random-init encoder baseline."""
        from ssl_core.engine.run import restore_recipe

        torch.manual_seed(seed)
        module = restore_recipe(self.config, self.run_dir).module
        return module.to(self.device).eval()


def run_domain(run_dir: Path) -> tuple[str, str]:
    """``(domain, recipe)`` a run directory belongs to, read from its ``config.yaml`` alone."""
    from ssl_core.config import read_yaml

    cfg = Path(run_dir) / "config.yaml"
    if not cfg.is_file():
        raise ConfigError(cfg, "<file>", "not a run directory (config.yaml missing)")
    recipe = read_yaml(cfg).get("recipe")
    if not isinstance(recipe, str) or "/" not in recipe:
        raise ConfigError(cfg, "recipe", f"expected 'domain/name', got {recipe!r}")
    return recipe.split("/", 1)[0], recipe


def load_owned_run(run_dir: Path, *, domain: str | None, device: str = "cpu") -> LoadedRun:
    """:func:`ssl_core.engine.load_run` after checking that ``domain``'s plugin owns the run."""
    from ssl_core.engine import load_run

    owner, recipe = run_domain(run_dir)
    if domain is not None and owner != domain:
        raise ConfigError(
            Path(run_dir) / "config.yaml",
            "recipe",
            f"{recipe} is a run of the {owner!r} plugin, not {domain!r}: "
            + ("use `ssl eval`" if owner == "core" else f"use `ssl-{owner}` (or `ssl eval`)"),
        )
    return load_run(run_dir, device=device)


def _spec_for(run: LoadedRun) -> DomainSpec | None:
    from ssl_core.plugins.manager import get_plugin_manager

    owner = run.config.recipe.split("/", 1)[0]
    spec = get_plugin_manager().domain_specs().get(owner)
    return spec if spec is not None and run.recipe.data is not None else None


def _baselines(run_dir: Path, spec: DomainSpec, device: str) -> dict[str, SSLModule]:
    from ssl_core.engine import load_run
    from ssl_core.engine.checkpoint import has_checkpoint

    found = {}
    for name in spec.baselines:
        sub = Path(run_dir) / name
        if not has_checkpoint(sub):
            raise ConfigError(
                sub, "checkpoints", f"baseline run {name!r} missing: rerun `pretrain --resume {run_dir}`"
            )
        found[name] = load_run(sub, device=device).module
    return found


def evaluate_run(
    run_dir: Path,
    *,
    domain: str | None = None,
    device: str = "cpu",
    quick: bool = False,
    seeds: int | None = None,
) -> list[ComparisonRow]:
    """The comparison rows of a run: its plugin's ``evaluate``, else the generic probe comparison.

    The generic comparison (runs of recipes without a data object, e.g. ``ssl train`` configs of
    core recipes) is a linear probe of the recipe's ``eval_data`` labels on the trained encoder
    versus the same encoder randomly initialised.

    When the run's ``metrics.jsonl`` ends (its last monitor row) with an active collapse alarm,
    every row gets ``extra["alarm"]`` (shown in the table's footnotes) naming the step and RankMe.
    The rows are written to ``RUN_DIR/evaluation.json`` and sent to the run's trackers
    (:mod:`ssl_core.engine.trackers.evaluation`); an existing ``report.html`` is rewritten with them.
    """
    from ssl_core.plugins.refs import resolve_object

    run = load_owned_run(run_dir, domain=domain, device=device)
    spec = _spec_for(run)
    if spec is None:
        rows = _with_alarm_note(run_dir, _generic_rows(run))
    else:
        ctx = EvalContext(
            Path(run_dir), run.config, torch.device(device), _baselines(run_dir, spec, device), quick, seeds
        )
        evaluate: Callable[..., list[ComparisonRow]] = resolve_object(spec.evaluate)
        rows = _with_alarm_note(run_dir, list(evaluate(run.module, run.recipe.data, ctx)))
    _record(Path(run_dir), run, rows, quick=quick, seeds=seeds)
    return rows


def _record(
    run_dir: Path, run: LoadedRun, rows: list[ComparisonRow], *, quick: bool, seeds: int | None
) -> None:
    """``evaluation.json`` and the run's trackers get the rows; an existing ``report.html`` is redrawn."""
    from ssl_core.engine.trackers.evaluation import record_evaluation
    from ssl_core.report import REPORT_FILE, write_report

    record_evaluation(run_dir, run.config, rows, step=run.step, quick=quick, seeds=seeds)
    if (run_dir / REPORT_FILE).is_file():
        write_report(run_dir)


def _with_alarm_note(run_dir: Path, rows: list[ComparisonRow]) -> list[ComparisonRow]:
    """``rows`` with ``extra["alarm"]`` set when the run ended collapsed (its last monitor row)."""
    from ssl_core.monitors.alarms import collapse_note

    note = collapse_note(Path(run_dir))
    if note is not None:
        for row in rows:
            row.extra["alarm"] = note
    return rows


def _generic_rows(run: LoadedRun) -> list[ComparisonRow]:
    """Linear probes of the eval labels: the trained encoder vs the same encoder re-initialised."""
    from ssl_core.evaluation import embed_dataset, probe_comparison, reinitialised

    data, key = run.recipe.eval_data, run.recipe.label_key
    if data is None or key is None:
        raise ConfigError(
            run.config.recipe, "eval_data", "the recipe has no labelled eval data to evaluate on"
        )
    ssl, labels = embed_dataset(run.module, data, label_key=key, collate=run.recipe.collate)
    random, _ = embed_dataset(reinitialised(run.module), data, label_key=key, collate=run.recipe.collate)
    assert labels is not None
    return probe_comparison(ssl, {"random init": random}, labels, task=key)


def embed_input(run: LoadedRun, path: Path) -> Any:
    """INPUT read by the owning plugin's ``embed_input`` (a dataset or a dict of tensors)."""
    from ssl_core.plugins.refs import resolve_object

    spec = _spec_for(run)
    if spec is None or spec.embed_input is None:
        raise PluginError(
            f"recipe {run.config.recipe!r} declares no embed input reader (DomainSpec.embed_input)"
        )
    loader: Callable[[Path, LoadedRun], Any] = resolve_object(spec.embed_input)
    return loader(Path(path), run)


def embed_array(run: LoadedRun, data: Any, *, batch_size: int = 256, device: str = "cpu") -> np.ndarray:
    """``module.embed`` over ``data`` (a dataset, or a dict of tensors sharing dim 0), float32."""
    from ssl_core.data import TensorDictDataset
    from ssl_core.evaluation.generic import embed_dataset

    dataset = TensorDictDataset(data) if isinstance(data, Mapping) else data
    if len(dataset) == 0:
        raise ConfigError("<input>", "samples", "no samples to embed")
    with torch.no_grad():
        emb, _ = embed_dataset(
            run.module, dataset, batch_size=batch_size, collate=run.recipe.collate, device=device
        )
    return emb.float().numpy()
