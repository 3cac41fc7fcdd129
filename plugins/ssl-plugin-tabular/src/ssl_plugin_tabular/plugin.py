"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: factories are lazy ``"module:attr"`` strings.
"""

from __future__ import annotations

from typing import Any

from ssl_core import PluginManifest, hookimpl

DOMAIN = "tabular"

PLUGIN = PluginManifest(
    name=DOMAIN,
    domain=DOMAIN,
    description="T-JEPA (Thimonier et al., ICLR 2025): augmentation-free SSL for tables (CSV / numpy)",
    provides={
        "encoders": [f"{DOMAIN}/tjepa-encoder"],
        "view_generators": [f"{DOMAIN}/context-target"],
        "objectives": [f"{DOMAIN}/jepa"],
        "methods": [f"{DOMAIN}/tjepa"],
        "recipes": [f"{DOMAIN}/tjepa"],
        "demos": [f"{DOMAIN}/default"],
    },
    cli=f"ssl_plugin_{DOMAIN}.cli:group",
    display_name="Tabular (T-JEPA)",
)

#: The embedded default: a smaller model and schedule than the paper so it trains in about 2 minutes
#: on a 2-core CPU (the bench uses the paper's 16 x 64 model).
DEFAULT_RECIPE_ARGS: dict[str, Any] = {
    "dim": 32, "depth": 4, "heads": 2, "ffn_dim": 64, "pred_dim": 16, "pred_depth": 4, "pred_heads": 4,
    "probe_epochs": 100, "probe_lr": 3.0e-3, "eval_seeds": 3,
}  # fmt: skip


@hookimpl
def ssl_register_encoders(registry: Any) -> None:
    """Feature tokenizer + post-LN transformer encoder."""
    registry.add(f"{DOMAIN}/tjepa-encoder", "ssl_plugin_tabular.encoders:TJEPAEncoder",
                 description="FT-Transformer tokenizer + [REG] tokens + post-LN transformer (T-JEPA)")  # fmt: skip


@hookimpl
def ssl_register_view_generators(registry: Any) -> None:
    """Context / target feature subsets ([REG] always context)."""
    registry.add(f"{DOMAIN}/context-target", "ssl_plugin_tabular.views:tjepa_masks",
                 description="T-JEPA context + 4 target feature subsets, [REG] tokens never masked")  # fmt: skip


@hookimpl
def ssl_register_objectives(registry: Any) -> None:
    """Latent MSE (the core JEPA loss)."""
    registry.add(f"{DOMAIN}/jepa", "ssl_plugin_tabular.objectives:JEPALoss",
                 description="MSE between predicted and EMA-target feature latents (core JEPALoss)")  # fmt: skip


@hookimpl
def ssl_register_methods(registry: Any) -> None:
    """The T-JEPA SSL module."""
    registry.add(f"{DOMAIN}/tjepa", "ssl_plugin_tabular.method:build_tjepa",
                 description="T-JEPA module: context encoder, EMA target encoder, JEPA predictor")  # fmt: skip


@hookimpl
def ssl_register_recipes(registry: Any) -> None:
    """``tabular/tjepa``: a CSV / Adult / rtdl table (embedded Adult by default) + T-JEPA."""
    from ssl_plugin_tabular.recipe_args import TJEPAArgs

    registry.add(f"{DOMAIN}/tjepa", "ssl_plugin_tabular.recipes:tjepa_recipe",
                 description="T-JEPA on a table (default: embedded UCI Adult)", config_cls=TJEPAArgs)  # fmt: skip


@hookimpl
def ssl_register_demos(registry: Any) -> None:
    """The embedded default run by ``ssl demo``."""
    registry.add(f"{DOMAIN}/default", "ssl_plugin_tabular.demo:demo",
                 description="T-JEPA on embedded Adult: MLP on T-JEPA features vs raw vs HistGradientBoosting")  # fmt: skip


@hookimpl
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Starter config: the embedded default (``ssl-tabular pretrain`` with no argument)."""
    if domain != DOMAIN:
        return None
    return {
        "recipe": f"{DOMAIN}/tjepa",
        "recipe_args": dict(DEFAULT_RECIPE_ARGS),
        "train": {
            "steps": 400,
            "batch_size": 512,
            "clip_value": 1.0,
            "log_every": 20,
            "monitor_every": 100,
            "ckpt_every": 200,
        },
        "optim": {
            "name": "adamw",
            "lr": 1.0e-3,
            "weight_decay": 0.0,
            "schedule": {"name": "warmup_cosine", "warmup_steps": 50},
        },
        "ema": {"base": 0.996, "final": 1.0, "schedule": "linear"},
    }
