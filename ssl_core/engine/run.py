"""Loading a finished (or interrupted) run: config, recipe and trained weights."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ssl_core.config import load_run_config
from ssl_core.engine.checkpoint import checkpoint_path, latest_checkpoint
from ssl_core.engine.ckpt_index import load_verified, newest_intact_state
from ssl_core.engine.data_state import load_data_state
from ssl_core.engine.setup import build_recipe
from ssl_core.engine.sharded import is_sharded
from ssl_core.engine.state import load_model_state, read_state
from ssl_core.errors import CheckpointError
from ssl_core.interfaces import Recipe, SSLModule
from ssl_core.plugins.manager import get_registries
from ssl_core.plugins.recipe_args import validate_recipe_args
from ssl_core.recipe_builder import RecipeBuilder
from ssl_core.schema import RunConfig

__all__ = ["LoadedRun", "load_run", "restore_recipe"]


@dataclass
class LoadedRun:
    """A run directory loaded back: its config, the rebuilt recipe and the trained module."""

    config: RunConfig
    recipe: Recipe
    module: SSLModule
    step: int


def load_run(
    run_dir: str | Path,
    *,
    device: str | torch.device = "cpu",
    checkpoint: str | int = "last",
    recipe: Recipe | None = None,
) -> LoadedRun:
    """Rebuild the recipe of ``run_dir`` and load the weights of one of its checkpoints.

    Args:
        run_dir: a directory written by :func:`ssl_core.engine.train`.
        device: where to put the module.
        checkpoint: ``"last"`` (the newest intact checkpoint: ``last.pt``, else the newest intact
            ``step_<N>.pt``, with a warning on stderr; the DCP directory of an FSDP2 run, read into
            the plain module in this process) or a step number (``checkpoints/step_<N>.pt``).
        recipe: an already built recipe to load the weights into (for recipes not in the registry).

    Raises:
        CheckpointError: no ``config.yaml`` or no such checkpoint, or weights that do not fit the recipe.
    """
    run_dir = Path(run_dir)
    cfg_path = run_dir / "config.yaml"
    if not cfg_path.is_file():
        raise CheckpointError(f"{cfg_path}: not found; is {run_dir} a run directory?")
    config = load_run_config(cfg_path)
    if recipe is None:
        config = validate_recipe_args(config, str(cfg_path))
    latest = latest_checkpoint(run_dir, checkpoint)
    if is_sharded(latest):  # an FSDP2 run: the DCP directory, resharded into the plain module
        built = recipe if recipe is not None else restore_recipe(config, run_dir)
        state = read_state(latest, built.module)
    else:  # checked first, so a missing or damaged checkpoint is reported before any data is read
        state = _single_file_state(run_dir, checkpoint)
        built = recipe if recipe is not None else restore_recipe(config, run_dir)
    load_model_state(built.module, state)
    built.module.to(device).eval()
    return LoadedRun(config=config, recipe=built, module=built.module, step=int(state["step"]))


def restore_recipe(config: RunConfig, run_dir: str | Path) -> Recipe:
    """The recipe of a run for evaluation: from its saved data state when the recipe supports it.

    A :class:`~ssl_core.recipe_builder.RecipeBuilder` recipe is rebuilt from ``config.yaml`` and
    ``data.pt`` without reading the training files; any other recipe is built from the registry.
    """
    factory = get_registries().recipes.get(config.recipe).load()
    if isinstance(factory, RecipeBuilder):
        torch.manual_seed(config.train.seed)
        return factory.restore(config.recipe_args, load_data_state(Path(run_dir)))
    return build_recipe(config)


def _single_file_state(run_dir: Path, checkpoint: str | int) -> dict[str, Any]:
    """``last``: the newest intact checkpoint (a warning names what was skipped); else step N, verified."""
    if checkpoint != "last":
        return load_verified(checkpoint_path(run_dir, checkpoint))
    return newest_intact_state(run_dir, "loading")[0]
