"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_traffic``); ssl-core's ``PluginTable`` derives the manifest and the hooks,
and its ``DomainSpec`` gives ``ssl-traffic pretrain / evaluate / embed / demo`` from the core.
"""

from __future__ import annotations

from ssl_core import Component, DomainSpec, PluginTable

DOMAIN = "traffic"

TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_traffic",
    description="ST-SSDL traffic forecasting with self-supervised deviation learning (NeurIPS 2025)",
    cli=".cli:group",
    display_name="Traffic (ST-SSDL)",
    default_config=".config:default_config",  # ``ssl init traffic`` / ``ssl-traffic pretrain``
    lifecycle=DomainSpec(
        recipe="stssdl",
        evaluate=".evaluate:evaluate",
        embed_input=".inference:embed_input",
        report_figures=".report:report_figures",  # forecast vs truth of the test period
        demo_seconds=95,  # one thread, 2026-12-05 (ssl demo starts the longest first)
        options=("graph",),
        quick=("train.steps=2", "train.batch_size=8", "recipe_args.sim_nodes=8", "recipe_args.sim_days=15",
               "recipe_args.rnn_units=8", "recipe_args.prototype_num=4", "recipe_args.prototype_dim=4"),
        # the no-SSL ablation: no history branch, lambda_c = lambda_d = 0 (trained into RUN_DIR/no-ssl)
        baselines={"no-ssl": ("recipe_args.ssl=false",)},
        examples="""
ssl-traffic pretrain                                 # simulator: ST-SSDL + no-SSL ablation, ~2 min on 1 core
ssl-traffic pretrain --data los_speed.csv --graph los_adj.csv --steps 420 --set 'optim.schedule.milestones=[294,378]'
ssl-traffic pretrain --data PEMS08.npz --graph PEMS08_distance.csv --set recipe_args.rnn_units=12 --set train.num_threads=2
ssl-traffic evaluate runs/traffic/<timestamp>
ssl-traffic forecast runs/traffic/<timestamp> --input last_hour.csv -o forecast.csv
ssl-traffic embed runs/traffic/<timestamp> los_speed.csv -o windows.npy
""",
    ),
    components=[  # kind, name (key "traffic/<name>"), factory, description[, config_cls]
        Component("encoders", "gcru", ".encoders:GCRUEncoder", "ST-SSDL's GCRU encoder"),
        Component("view_generators", "history-anchor", ".views:HistoryAnchorView",
                  "current window + its training-period history average"),
        Component("objectives", "stssdl", ".objectives:STSSDLObjective",
                  "masked MAE + lambda_c triplet + lambda_d deviation"),
        Component("objectives", "prototype-triplet", ".objectives:PrototypeTripletLoss",
                  "triplet loss of stop-grad queries vs top-1/top-2 prototypes"),
        Component("objectives", "deviation", ".objectives:DeviationLoss",
                  "deviation consistency between query and prototype distances"),
        # ``ssl: false`` = the no-SSL ablation; STSSDLArgs is a plain dataclass (no torch import).
        Component("recipes", "stssdl", ".recipes:STSSDL_RECIPE", "ST-SSDL forecaster (simulator by default)",
                  config_cls=".config:STSSDLArgs"),
        Component("recipes", "frames", ".frames.recipe:FRAMES",
                  "VICReg/NT-Xent between time and Fourier/wavelet frame projections of sensor windows",
                  config_cls=".frames.args:FramesArgs"),
    ],
)  # fmt: skip

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
