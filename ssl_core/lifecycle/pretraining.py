"""``ssl-<domain> pretrain``: from the options to a run directory (the main run and its baselines).

The steps, in order:

1. the domain's embedded default config (``ssl_default_config``), fresh;
2. ``--data`` resolved to an absolute path and stored verbatim in ``recipe_args.<data_field>``
   (never parsed as YAML, so ``speed #1.csv`` stays a file name), then the plugin's own options;
3. ``--steps/--seed/--device`` and the ``--set`` overrides, validated with the schema and the
   recipe's args dataclass;
4. the engine trains the main run into the run directory, then every baseline run the plugin
   declares (``DomainSpec.baselines``) into ``RUN_DIR/<name>`` with its overrides added; a batch
   the user did not choose that exceeds the training set follows the small-data rule
   (:mod:`ssl_core.engine.small_data`, :func:`small_data_mode`), one line says what it applied;
5. ``--resume RUN_DIR`` instead reads ``RUN_DIR/config.yaml`` and continues the main run and the
   baseline runs from their last checkpoints (a baseline not started yet starts fresh).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssl_core.errors import ConfigError
from ssl_core.lifecycle.options import PretrainOptions
from ssl_core.utils import verbosity
from ssl_core.utils.rundirs import default_run_dir

if TYPE_CHECKING:
    from ssl_core.engine.small_data import SmallData
    from ssl_core.plugins.lifecycle import DomainSpec
    from ssl_core.schema import RunConfig

__all__ = ["PretrainResult", "pretrain", "pretrain_config", "small_data_mode"]


@dataclass
class PretrainResult:
    """The run directory of a pretrain call and the step each run ended at."""

    run_dir: Path
    steps: dict[str, int]


def _spec(domain: str) -> DomainSpec:
    from ssl_core.plugins.manager import get_plugin_manager

    return get_plugin_manager().domain_spec(domain)


def pretrain_config(domain: str, opts: PretrainOptions) -> RunConfig:
    """The validated run config of a fresh ``pretrain`` (steps 1-3 of the module docstring)."""
    from ssl_core.config import load_run_config
    from ssl_core.plugins.manager import get_plugin_manager
    from ssl_core.plugins.recipe_args import validate_recipe_args

    spec = _spec(domain)
    data: dict[str, Any] = get_plugin_manager().default_config(domain) or {}
    args = data.setdefault("recipe_args", {})
    if opts.data is not None:
        if not Path(opts.data).exists():
            raise ConfigError("--data", str(opts.data), "no such file or folder")
        args[spec.data_field] = str(Path(opts.data).resolve())
    paths = _path_fields(domain, spec.recipe)
    for key, value in opts.args.items():
        if value is not None:
            args[key] = str(Path(value).resolve()) if key in paths and isinstance(value, str) else value
    config = load_run_config(data, opts.overrides())
    # recipe arguments checked here too, so an error names the --set that wrote the key
    return validate_recipe_args(config, "<config>", opts.overrides())


def _path_fields(domain: str, recipe: str) -> set[str]:
    from ssl_core.lifecycle.options import path_fields
    from ssl_core.plugins.manager import get_registries

    cls = get_registries().recipes.get(f"{domain}/{recipe}").config_cls
    return path_fields(cls) if cls is not None else set()


def _resume_config(opts: PretrainOptions) -> RunConfig:
    from ssl_core.config import load_run_config

    assert opts.resume is not None
    if opts.data is not None or opts.args:
        raise ConfigError(
            "--resume",
            str(opts.resume),
            "continues its own data and arguments; drop --data and plugin options",
        )
    cfg = Path(opts.resume) / "config.yaml"
    if not cfg.is_file():
        raise ConfigError(cfg, "<file>", "not a run directory (config.yaml missing)")
    return load_run_config(cfg, opts.overrides())


def _relaunch(domain: str, opts: PretrainOptions, run_dir: Path) -> int:
    """Run this same pretrain under torchrun with ``opts.nproc_per_node`` processes."""
    from ssl_core.distributed import relaunch_with_torchrun

    argv = [domain, "pretrain", "--run-dir", str(run_dir)]
    argv += ["--data", str(Path(opts.data).resolve())] if opts.data is not None else []
    argv += ["--resume", str(opts.resume)] if opts.resume is not None else []
    argv += ["--force"] if opts.force else []
    for flag, value in (("--steps", opts.steps), ("--seed", opts.seed), ("--device", opts.device)):
        argv += [flag, str(value)] if value is not None else []
    for key, value in opts.args.items():
        if value is not None:
            argv += [
                "--set",
                f"recipe_args.{key}={value!r}" if isinstance(value, str) else f"recipe_args.{key}={value}",
            ]
    for text in opts.sets:
        argv += ["--set", text]
    return relaunch_with_torchrun(opts.nproc_per_node, argv)


def _under_torchrun() -> bool:
    return "LOCAL_RANK" in os.environ and "WORLD_SIZE" in os.environ


def _baseline_config(config: RunConfig, overrides: Sequence[str]) -> RunConfig:
    from ssl_core.config import apply_overrides

    return apply_overrides(config, overrides)


def pretrain(domain: str, opts: PretrainOptions, *, echo: Any = verbosity.info) -> PretrainResult:
    """Train the main run and the plugin's baseline runs; ``echo`` receives the information lines
    (stderr unless quiet by default). Each run is a progress phase: ``<domain> pretrain``,
    ``<domain> baseline <name>``."""
    from ssl_core.engine import train
    from ssl_core.engine.checkpoint import has_checkpoint

    spec = _spec(domain)
    resume = opts.resume is not None
    if resume and opts.run_dir is not None and Path(opts.run_dir).resolve() != Path(opts.resume).resolve():  # type: ignore[arg-type]
        raise ConfigError("--run-dir", str(opts.run_dir), "names another directory than --resume")
    config = _resume_config(opts) if resume else pretrain_config(domain, opts)
    run_dir = Path(opts.resume or opts.run_dir or default_run_dir(domain))
    if opts.nproc_per_node > 1 and not _under_torchrun():
        code = _relaunch(domain, opts, run_dir)
        if code:
            raise SystemExit(code)
        return PretrainResult(run_dir, {})
    steps: dict[str, int] = {}
    small: SmallData = "off" if resume else small_data_mode(opts)
    with verbosity.phase(f"{domain} pretrain"):
        result = train(config, run_dir, resume=resume, force=opts.force, small_data=small)
    steps["main"] = result.step
    echo(f"finished step {result.step}: {_metrics(result.metrics)}")
    for name, overrides in spec.baselines.items():
        sub = run_dir / name
        again = resume and has_checkpoint(sub)
        echo(f"training the baseline run {name!r} ({', '.join(overrides)}) into {sub}")
        base = (
            _resume_config(dataclasses.replace(opts, resume=sub))
            if again
            else _baseline_config(config, overrides)
        )
        force = opts.force or (resume and not again)
        with verbosity.phase(f"{domain} baseline {name}"):
            run = train(base, sub, resume=again, force=force, small_data="off" if again else small)
        steps[name] = run.step
    if opts.report and os.environ.get("RANK", "0") == "0":  # under torchrun: rank 0 only
        from ssl_core.report import write_report

        echo(f"report: {write_report(run_dir)}")
    return PretrainResult(run_dir, steps)


def _set_keys(opts: PretrainOptions) -> set[str]:
    return {text.split("=", 1)[0].strip() for text in opts.sets}


def small_data_mode(opts: PretrainOptions) -> SmallData:
    """How the small-data rule applies to a fresh ``pretrain``: off when the user chose
    ``train.batch_size`` (``--set``), the batch only when they chose the steps (``--steps`` or
    ``--set train.steps=``), else the batch and the steps (:mod:`ssl_core.engine.small_data`)."""
    keys = _set_keys(opts)
    if "train.batch_size" in keys:
        return "off"
    return "batch" if opts.steps is not None or "train.steps" in keys else "batch+steps"


SUMMARY_KEYS = ("loss", "monitor/rankme", "monitor/std")
"""The metrics of the ``finished step`` line (every metric with ``-v``; raised alarms always)."""


def _metrics(metrics: dict[str, Any]) -> str:
    numbers = {k: v for k, v in sorted(metrics.items()) if isinstance(v, (int, float))}
    if verbosity.level() < verbosity.VERBOSE:
        numbers = {k: v for k, v in numbers.items() if k in SUMMARY_KEYS or (k.startswith("alarm/") and v)}
    return ", ".join(f"{k}={v:.4g}" for k, v in numbers.items())
