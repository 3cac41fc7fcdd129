"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: the component table holds lazy ``"module:attr"`` strings (a leading ``.``
is relative to ``ssl_plugin_traffic``); ssl-core's ``PluginTable`` derives the manifest and the hooks.
"""

from __future__ import annotations

from typing import Any

from ssl_core import Component, PluginTable

DOMAIN = "traffic"
PKG = "ssl_plugin_traffic"

# The embedded default (simulator: 40 sensors, 28 days at 15 min -> 1,865 training windows;
# 6 epochs of ST-SSDL and of the ablation take about 2 minutes of one core).
DEFAULT_RECIPE_ARGS: dict[str, Any] = {
    "rnn_units": 32,
    "prototype_num": 8,
    "prototype_dim": 16,
    "d_node": 10,
    "d_tod": 10,
    "recompute": False,
}
DEFAULT_TRAIN_SAMPLES = 1865
DEFAULT_BATCH = 64
DEFAULT_EPOCHS = 6


def official_optim(total: int, milestones: tuple[float, ...] = (0.7, 0.9)) -> dict[str, Any]:
    """The official optimiser over ``total`` steps: Adam, lr 0.01 dropping x0.1 at ``milestones`` (fractions)."""
    return {
        "name": "adam",
        "lr": 0.01,
        "eps": 1.0e-3,
        "weight_decay": 0.0,
        "schedule": {"name": "multistep", "milestones": [int(m * total) for m in milestones], "gamma": 0.1},
    }


def default_config_dict(
    epochs: int = DEFAULT_EPOCHS, train_samples: int = DEFAULT_TRAIN_SAMPLES
) -> dict[str, Any]:
    """The embedded default run config (official optimiser; lr x0.1 at 70% and 90% of training)."""
    total = epochs * max(1, train_samples // DEFAULT_BATCH)
    return {
        "recipe": f"{DOMAIN}/stssdl",
        "recipe_args": dict(DEFAULT_RECIPE_ARGS),
        "train": {
            "epochs": epochs,
            "batch_size": DEFAULT_BATCH,
            "clip_grad": 5.0,
            "precision": "fp32",
            "log_every": 10,
            "ckpt_every": total,
            "monitor_every": 10**9,
        },
        "optim": official_optim(total),
    }


# fmt: off
TABLE = PluginTable(
    name=DOMAIN,
    package=PKG,
    description="ST-SSDL traffic forecasting with self-supervised deviation learning (NeurIPS 2025)",
    cli=".cli:group",
    display_name="Traffic (ST-SSDL)",
    default_config=default_config_dict,  # ``ssl init traffic`` / ``ssl-traffic pretrain``
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
        Component("recipes", "stssdl", ".recipes:stssdl_recipe", "ST-SSDL forecaster (simulator by default)",
                  config_cls=".args:STSSDLArgs"),
        Component("recipes", "frames", ".frames.recipe:FRAMES",
                  "VICReg/NT-Xent between time and Fourier/wavelet frame projections of sensor windows",
                  config_cls=".frames.args:FramesArgs"),
        Component("demos", "default", ".demo:demo", "ST-SSDL vs no-SSL ablation on the simulator"),
    ],
)
# fmt: on

PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())  # ssl_register_<kind> for each declared kind + ssl_default_config
