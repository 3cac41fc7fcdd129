"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_tabular``); ssl-core's ``PluginTable`` derives the manifest and the hooks.
"""

from __future__ import annotations

from ssl_core import Component, PluginTable

DOMAIN = "tabular"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_tabular",
    display_name="Tabular (T-JEPA)",
    description="T-JEPA (Thimonier et al., ICLR 2025): augmentation-free SSL for tables (CSV / numpy)",
    cli=".cli:group",
    default_config=".recipe_args:default_config",  # ``ssl-tabular pretrain`` with no argument
    components=[  # kind, name (key "tabular/<name>"), factory, description[, config_cls]
        Component("encoders", "tjepa-encoder", ".encoders:TJEPAEncoder",
                  "FT-Transformer tokenizer + [REG] tokens + post-LN transformer (T-JEPA)"),
        Component("view_generators", "context-target", ".views:tjepa_masks",
                  "T-JEPA context + 4 target feature subsets, [REG] tokens never masked"),
        Component("objectives", "jepa", ".objectives:JEPALoss",
                  "MSE between predicted and EMA-target feature latents (core JEPALoss)"),
        Component("methods", "tjepa", ".method:build_tjepa",
                  "T-JEPA module: context encoder, EMA target encoder, JEPA predictor"),
        Component("recipes", "tjepa", ".recipes:tjepa_recipe", "T-JEPA on a table (default: embedded UCI Adult)",
                  config_cls=".recipe_args:TJEPAArgs"),
        Component("demos", "default", ".demo:demo",
                  "T-JEPA on embedded Adult: MLP on T-JEPA features vs raw vs HistGradientBoosting"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
