"""The ``tabular/tjepa`` recipe: a table (embedded Adult by default) + the T-JEPA module.

T-JEPA, Thimonier et al. (ICLR 2025, arXiv 2410.05016). The data phase reads, splits and encodes
the table (``data.build_data``); the module phase sizes T-JEPA from the fitted schema only
(``method.build_module``). The optimisation settings of the paper (AdamW lr 3.66e-4, warmup +
cosine, weight decay off for biases / norms, gradient value clip 1.0, EMA momentum linear
0.996 -> 1.0, batch 512) are in :func:`paper_config`.
"""

from __future__ import annotations

from typing import Any

from ssl_core.recipe_builder import RecipeBuilder
from ssl_plugin_tabular.config import TJEPAArgs
from ssl_plugin_tabular.data import build_data, restore_data
from ssl_plugin_tabular.memory import estimate_memory
from ssl_plugin_tabular.method import build_module

RECIPE = "tabular/tjepa"

tjepa_recipe = RecipeBuilder(RECIPE, TJEPAArgs, build_data, build_module, restore_data, estimate_memory)
"""``tabular/tjepa``: ``tjepa_recipe(**recipe_args)`` is the :class:`~ssl_core.interfaces.Recipe`
(``recipe.data`` the :class:`~ssl_plugin_tabular.data.PreparedTable`)."""


def paper_config(steps: int = 1000, warmup_steps: int = 100) -> dict[str, Any]:
    """The paper's training settings as a run-config dict (``train``, ``optim``, ``ema``)."""
    return {
        "train": {"steps": steps, "batch_size": 512, "clip_value": 1.0, "drop_last": True},
        "optim": {
            "name": "adamw",
            "lr": 3.66e-4,
            "weight_decay": 0.0,
            "schedule": {"name": "warmup_cosine", "warmup_steps": warmup_steps, "final_ratio": 0.0},
        },
        "ema": {"base": 0.996, "final": 1.0, "schedule": "linear"},
    }
