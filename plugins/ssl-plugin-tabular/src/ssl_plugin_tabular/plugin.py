"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_tabular``); ssl-core's ``PluginTable`` derives the manifest and the hooks,
and its ``lifecycle`` gives ``ssl-tabular pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "tabular"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_tabular",
    display_name="Tabular (T-JEPA)",
    description="T-JEPA (Thimonier et al., ICLR 2025): augmentation-free SSL for tables (CSV / numpy)",
    cli=".cli:group",
    default_config=".config:default_config",  # ``ssl-tabular pretrain`` with no argument
    lifecycle=DomainSpec(
        recipe="tjepa",
        evaluate=".evaluate:evaluate",  # MLP on T-JEPA features vs raw features vs HistGradientBoosting
        embed_input=".data:embed_input",
        demo_seconds=137,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        options=("target", "numeric", "categorical", "drop", "task"),
        quick=("train.steps=3", "train.batch_size=64", "train.ckpt_every=3", "train.monitor_every=3",
               "recipe_args.eval_max_train=512", "recipe_args.depth=1", "recipe_args.pred_depth=1",
               "recipe_args.dim=8", "recipe_args.ffn_dim=8"),
        examples="""
ssl-tabular pretrain                                   # embedded UCI Adult, small model, 400 steps
ssl-tabular pretrain --data houses.csv --target price --categorical zip
ssl-tabular pretrain --data /data/tabular/adult --set train.steps=5000
ssl-tabular evaluate runs/tabular/<timestamp>
ssl-tabular embed runs/tabular/<timestamp> new_rows.csv -o embeddings.npy
""",
    ),
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
                  config_cls=".config:TJEPAArgs"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
