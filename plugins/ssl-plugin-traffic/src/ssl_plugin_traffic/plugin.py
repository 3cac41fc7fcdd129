"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

No top-level torch import: factories are lazy ``"module:attr"`` strings.
"""

from __future__ import annotations

from typing import Any

from ssl_core import PluginManifest, hookimpl

DOMAIN = "traffic"
PKG = "ssl_plugin_traffic"

# The embedded default (simulator: 40 sensors, 21 days at 15 min -> 1,395 training windows).
DEFAULT_RECIPE_ARGS: dict[str, Any] = {
    "rnn_units": 32,
    "prototype_num": 8,
    "prototype_dim": 16,
    "d_node": 10,
    "d_tod": 10,
    "recompute": False,
}
DEFAULT_TRAIN_SAMPLES = 1395
DEFAULT_BATCH = 64
DEFAULT_EPOCHS = 4

PLUGIN = PluginManifest(
    name=DOMAIN,
    domain=DOMAIN,
    description="ST-SSDL traffic forecasting with self-supervised deviation learning (NeurIPS 2025)",
    provides={
        "encoders": [f"{DOMAIN}/gcru"],
        "view_generators": [f"{DOMAIN}/history-anchor"],
        "objectives": [f"{DOMAIN}/stssdl", f"{DOMAIN}/prototype-triplet", f"{DOMAIN}/deviation"],
        "recipes": [f"{DOMAIN}/stssdl"],
        "demos": [f"{DOMAIN}/default"],
    },
    cli=f"{PKG}.cli:group",
    display_name="Traffic (ST-SSDL)",
)


@hookimpl
def ssl_register_encoders(registry: Any) -> None:
    """The GCRU encoder (STE embedding + Chebyshev-graph GRU)."""
    registry.add(f"{DOMAIN}/gcru", f"{PKG}.encoders:GCRUEncoder", description="ST-SSDL's GCRU encoder")


@hookimpl
def ssl_register_view_generators(registry: Any) -> None:
    """The history-average anchor view."""
    registry.add(
        f"{DOMAIN}/history-anchor",
        f"{PKG}.views:HistoryAnchorView",
        description="current window + its training-period history average",
    )


@hookimpl
def ssl_register_objectives(registry: Any) -> None:
    """ST-SSDL's losses."""
    registry.add(
        f"{DOMAIN}/stssdl",
        f"{PKG}.objectives:STSSDLObjective",
        description="masked MAE + lambda_c triplet + lambda_d deviation",
    )
    registry.add(
        f"{DOMAIN}/prototype-triplet",
        f"{PKG}.objectives:PrototypeTripletLoss",
        description="triplet loss of stop-grad queries vs top-1/top-2 prototypes",
    )
    registry.add(
        f"{DOMAIN}/deviation",
        f"{PKG}.objectives:DeviationLoss",
        description="deviation consistency between query and prototype distances",
    )


@hookimpl
def ssl_register_recipes(registry: Any) -> None:
    """``traffic/stssdl`` (``ssl: false`` = the no-SSL ablation)."""
    from ssl_plugin_traffic.args import STSSDLArgs  # a plain dataclass: no torch import

    registry.add(
        f"{DOMAIN}/stssdl",
        f"{PKG}.recipes:stssdl_recipe",
        description="ST-SSDL forecaster (simulator by default)",
        config_cls=STSSDLArgs,
    )


@hookimpl
def ssl_register_demos(registry: Any) -> None:
    """Embedded default: simulator pretrain of ST-SSDL and its ablation, then evaluate."""
    registry.add(
        f"{DOMAIN}/default", f"{PKG}.demo:demo", description="ST-SSDL vs no-SSL ablation on the simulator"
    )


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
        "optim": {
            "name": "adam",
            "lr": 0.01,
            "eps": 1.0e-3,
            "weight_decay": 0.0,
            "schedule": {
                "name": "multistep",
                "milestones": [int(0.7 * total), int(0.9 * total)],
                "gamma": 0.1,
            },
        },
    }


@hookimpl
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Starter config of ``ssl init traffic`` / ``ssl-traffic pretrain``."""
    return default_config_dict() if domain == DOMAIN else None
