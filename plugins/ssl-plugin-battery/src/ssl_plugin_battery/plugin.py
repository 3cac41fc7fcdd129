"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_battery``); ssl-core's ``PluginTable`` derives the manifest and the hooks,
and its ``lifecycle`` gives ``ssl-battery pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "battery"

# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_battery",
    display_name="Battery (GenEVBattery)",
    description="GenEVBattery (Arunan et al., IEEE TII 2025): SSL on charging snippets for capacity / SOH",
    cli=".cli:group",
    default_config=".config:default_config",  # ``ssl-battery pretrain`` with no argument
    lifecycle=DomainSpec(
        recipe="genev",
        evaluate=".evaluate:evaluate",  # fine-tuned GenEV vs the same BiLSTM from scratch vs dQ/dV boosting
        embed_input=".data:embed_input",
        report_figures=".report:report_figures",  # estimated vs true SOH of the held-out cells
        demo_seconds=66,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        options=("source", "labels", "rated_capacity", "test_cells"),
        quick=("train.steps=2", "train.batch_size=8", "train.ckpt_every=2", "train.monitor_every=2",
               "recipe_args.hidden=4", "recipe_args.proj_dim=8", "recipe_args.windows_per_curve=1",
               "recipe_args.ft_steps=2", "recipe_args.window=32"),
        examples="""
ssl-battery pretrain                                    # embedded NASA PCoE slice, about a minute
ssl-battery pretrain --data CS2_36/ --test-cells CS2_38 # a folder of CALCE Arbin .xlsx workbooks
ssl-battery pretrain --data nasa_pcoe_cycles/            # NASA-style charge/<cell>/charge_<k>.csv
ssl-battery pretrain --data log.csv --labels caps.csv   # generic CSV: time,voltage,current,cycle[,cell]
ssl-battery pretrain --data BatPackdata.mat             # EV packs, MATLAB v7.3
ssl-battery evaluate runs/battery/<timestamp>
ssl-battery estimate runs/battery/<timestamp> CS2_37_1_28_11.xlsx -o soh.csv
ssl-battery embed runs/battery/<timestamp> log.csv -o embeddings.npy
""",
    ),
    components=[  # kind, name (key "battery/<name>"), factory, description[, config_cls]
        Component("encoders", "bilstm", ".encoders:BiLSTMEncoder",
                  "bidirectional LSTM: point-wise features of a (B, T, C) charging snippet (GenEV)"),
        Component("view_generators", "geometric-mask", ".views:genev_views",
                  "K = 3 geometrically masked copies (mean run 3, share 0.5; core GeometricMaskView)"),
        Component("objectives", "multi-positive-contrastive", ".objectives:MultiPositiveContrastive",
                  "SimMTM / GenEV multi-positive snippet-wise contrastive loss (tau = 0.2)"),
        Component("objectives", "weighted-reconstruction", ".objectives:SimilarityWeightedReconstruction",
                  "SimMTM / GenEV similarity-weighted masked reconstruction (self excluded)"),
        Component("methods", "genev", ".method:GenEV", "GenEV module: BiLSTM, projector, both losses, uncertainty weighting"),
        Component("recipes", "genev", ".recipes:genev_recipe", "GenEV on charge curves (default: embedded NASA slice)",
                  config_cls=".config:GenEVArgs"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
