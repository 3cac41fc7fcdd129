"""The light module ssl-core discovers (entry point ``ssl_core.plugins``): manifest and registrations.

Keep this module free of top-level torch imports: factories are registered as lazy
``"module:attr"`` strings, so ``ssl plugins`` and ``ssl --help`` stay fast.
"""

from __future__ import annotations

from typing import Any

from ssl_core import PluginManifest, hookimpl

DOMAIN = "template"

PLUGIN = PluginManifest(
    name=DOMAIN,
    domain=DOMAIN,
    description="Toy two-view SSL on synthetic clusters (replace with your domain)",
    provides={
        "encoders": [f"{DOMAIN}/mlp"],
        "view_generators": [f"{DOMAIN}/noise-mask"],
        "objectives": [f"{DOMAIN}/align-uniform"],
        "recipes": [f"{DOMAIN}/default"],
        "demos": [f"{DOMAIN}/default"],
    },
    cli=f"ssl_plugin_{DOMAIN}.cli:group",
)


@hookimpl
def ssl_register_encoders(registry: Any) -> None:
    """Encoders of the domain."""
    registry.add(f"{DOMAIN}/mlp", f"ssl_plugin_{DOMAIN}.encoders:TemplateEncoder", description="MLP over 'x'")


@hookimpl
def ssl_register_view_generators(registry: Any) -> None:
    """View generators of the domain."""
    registry.add(
        f"{DOMAIN}/noise-mask",
        f"ssl_plugin_{DOMAIN}.views:NoiseMaskViews",
        description="two views: Gaussian jitter + random feature masking",
    )


@hookimpl
def ssl_register_objectives(registry: Any) -> None:
    """Objectives of the domain."""
    registry.add(
        f"{DOMAIN}/align-uniform",
        f"ssl_plugin_{DOMAIN}.objectives:AlignUniformLoss",
        description="alignment + uniformity (Wang & Isola, 2020)",
    )


@hookimpl
def ssl_register_recipes(registry: Any) -> None:
    """Recipes: ``recipe_args`` of a config are validated with ``config_cls``."""
    from ssl_plugin_template.recipes import DefaultArgs  # a plain dataclass: cheap to import

    registry.add(
        f"{DOMAIN}/default",
        f"ssl_plugin_{DOMAIN}.recipes:make_recipe",
        description="two-view SSL on synthetic Gaussian clusters",
        config_cls=DefaultArgs,
    )


@hookimpl
def ssl_register_demos(registry: Any) -> None:
    """The embedded default run by ``ssl demo``."""
    registry.add(
        f"{DOMAIN}/default", f"ssl_plugin_{DOMAIN}.demo:demo", description="pretrain + probe vs random init"
    )


@hookimpl
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """Starter config of ``ssl init template``."""
    if domain != DOMAIN:
        return None
    return {
        "recipe": f"{DOMAIN}/default",
        "recipe_args": {"n_samples": 2048, "dim": 32, "n_classes": 8},
        "train": {"steps": 300, "batch_size": 128, "device": "auto", "log_every": 20, "ckpt_every": 100},
        "optim": {"name": "adamw", "lr": 3.0e-3, "weight_decay": 1.0e-4, "schedule": {"warmup_steps": 20}},
    }
