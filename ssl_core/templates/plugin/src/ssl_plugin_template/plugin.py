"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

Keep this module free of top-level torch imports, so ``ssl plugins`` and ``ssl --help`` stay fast.
Components are declared once, in ``TABLE``: each row names a lazy ``"module:attr"`` factory (a
leading ``.`` is relative to ``package``), imported only when the component is built. The table
derives the ``PLUGIN`` manifest (``provides`` lists every row) and the registration hooks.
"""

from __future__ import annotations

from typing import Any

from ssl_core import Component, PluginTable, hookimpl

DOMAIN = "template"

TABLE = PluginTable(
    name=DOMAIN,
    package="ssl_plugin_template",
    description="Toy two-view SSL on synthetic clusters (replace with your domain)",
    cli=".cli:group",
    components=[
        # Component(kind, name, factory, description): registered as "<domain>/<name>".
        Component("encoders", "mlp", ".encoders:TemplateEncoder", "MLP over 'x'"),
        Component(
            "view_generators",
            "noise-mask",
            ".views:NoiseMaskViews",
            "two views: Gaussian jitter + random feature masking",
        ),
        Component(
            "objectives",
            "align-uniform",
            ".objectives:AlignUniformLoss",
            "alignment + uniformity (Wang & Isola, 2020)",
        ),
        # ``recipe_args`` of a config are validated with the ``config_cls`` dataclass (imported by the hook).
        Component(
            "recipes",
            "default",
            ".recipes:make_recipe",
            "two-view SSL on synthetic Gaussian clusters",
            config_cls=".recipes:DefaultArgs",
        ),
        Component("demos", "default", ".demo:demo", "pretrain + probe vs random init"),
    ],
)

PLUGIN = TABLE.manifest
# pluggy finds hooks among module attributes: bind ssl_register_encoders, ssl_register_recipes, ...
globals().update(TABLE.hookimpls())


@hookimpl
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Starter config of ``ssl init template`` (a hand-written hook: any hook can be written this way)."""
    if domain != DOMAIN:
        return None
    return {
        "recipe": f"{DOMAIN}/default",
        "recipe_args": {"n_samples": 2048, "dim": 32, "n_classes": 8},
        "train": {"steps": 300, "batch_size": 128, "device": "auto", "log_every": 20, "ckpt_every": 100},
        "optim": {"name": "adamw", "lr": 3.0e-3, "weight_decay": 1.0e-4, "schedule": {"warmup_steps": 20}},
    }
