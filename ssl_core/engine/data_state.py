"""The fitted data state kept with a run: ``RUN_DIR/data.pt``.

A recipe's data object (:class:`ssl_core.interfaces.RunData`) returns what a run needs without its
training files (fitted preprocessing, evaluation splits) from ``state_dict()``. The engine writes
it once, atomically, when a run starts; :func:`ssl_core.engine.load_run` gives it back to the
recipe's :class:`~ssl_core.recipe_builder.RecipeBuilder` so nothing is re-read or re-fitted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ssl_core.engine.checkpoint import atomic_save
from ssl_core.errors import CheckpointError
from ssl_core.interfaces import Recipe

__all__ = ["DATA_STATE", "load_data_state", "save_data_state"]

DATA_STATE = "data.pt"
FORMAT = 1


def save_data_state(run_dir: Path, recipe: Recipe) -> Path | None:
    """Write ``recipe.data.state_dict()`` to ``run_dir/data.pt`` (nothing when the data has none)."""
    fn = getattr(recipe.data, "state_dict", None)
    if fn is None:
        return None
    path = Path(run_dir) / DATA_STATE
    state = fn()
    if not isinstance(state, dict):
        raise TypeError(
            f"{type(recipe.data).__name__}.state_dict() returned {type(state).__name__}, expected dict"
        )
    atomic_save({"format": FORMAT, "recipe": recipe.name, "state": state}, path)
    return path


def load_data_state(run_dir: Path) -> dict[str, Any] | None:
    """The saved data state of ``run_dir`` (``None`` if the run kept none); ``weights_only`` load.

    Raises:
        CheckpointError: the file exists but is unreadable or not an ssl-core data state.
    """
    path = Path(run_dir) / DATA_STATE
    if not path.is_file():
        return None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure means a corrupt or foreign file
        raise CheckpointError(
            f"{path}: cannot load the run's data state ({type(exc).__name__}: {exc})"
        ) from exc
    if (
        not isinstance(saved, dict)
        or saved.get("format") != FORMAT
        or not isinstance(saved.get("state"), dict)
    ):
        raise CheckpointError(f"{path}: not an ssl-core data state (format {FORMAT})")
    return saved["state"]
