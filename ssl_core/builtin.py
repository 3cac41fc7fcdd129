"""The core plugin (domain ``core``): registers ssl-core's own components as ``core/<name>``.

It is registered directly by the plugin manager (not through an entry point), so it is always
present, even when ``SSL_CORE_LOAD_PLUGINS`` selects nothing. Each hook imports its package only
when the registries are first built, so listing plugins never imports torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ssl_core.hooks import hookimpl
from ssl_core.plugins.manifest import PluginManifest

if TYPE_CHECKING:
    from ssl_core.registry import Registry

PLUGIN = PluginManifest(
    name="core",
    domain="core",
    display_name="ssl-core",
    description="Generic objectives, methods, views, evaluators and a synthetic starter recipe",
    # Listed statically so ``ssl plugins`` needs no import; tests/plugins/test_builtin.py checks it
    # equals what the hooks below register.
    provides={
        "objectives": [f"core/{n}" for n in (
            "barlow-twins", "byol", "byol-mlp-predictor", "clip", "directpred-predictor", "fixed-weighting",
            "jepa", "jepa-predictor", "masked-reconstruction", "matryoshka", "ntxent",
            "position-prediction", "uncertainty-weighting", "vicreg")],
        "view_generators": [f"core/{n}" for n in (
            "context-target", "feature-subset", "fourier-frame", "geometric-mask", "identity", "masking",
            "multi-view", "tera", "wavelet-frame")],
        "methods": ["core/jepa", "core/masked-reconstruction", "core/two-view"],
        "evaluators": [f"core/{n}" for n in (
            "finetune", "generic-report", "gsimclr-sampler", "knn", "linear-probe", "mlp-probe")],
        "recipes": ["core/synthetic"],
    },
)  # fmt: skip


@hookimpl
def ssl_register_objectives(registry: Registry) -> None:
    """NT-Xent, CLIP, BYOL, VICReg, Barlow Twins, masked reconstruction, JEPA, MP3, Matryoshka ..."""
    from ssl_core import objectives

    objectives.register(registry)


@hookimpl
def ssl_register_view_generators(registry: Registry) -> None:
    """Masking, geometric masks, TERA alterations, feature subsets, frame projections, multi-view."""
    from ssl_core import views

    views.register(registry)


@hookimpl
def ssl_register_evaluators(registry: Registry) -> None:
    """Linear / MLP probes, kNN, fine-tuning."""
    from ssl_core import evaluation

    evaluation.register(registry)


@hookimpl
def ssl_register_recipes(registry: Registry) -> None:
    """The core's own recipe ``core/synthetic`` (Gaussian clusters; needs no data)."""
    from ssl_core import recipes

    recipes.register(registry)


@hookimpl
def ssl_register_methods(registry: Registry) -> None:
    """Generic SSL modules plugins compose (two-view, masked reconstruction, JEPA)."""
    from ssl_core import methods

    methods.register(registry)


@hookimpl(trylast=True)
def ssl_default_config(domain: str) -> dict[str, Any] | None:
    """The starter config of ``ssl init core`` (``ssl_core/configs/core.yaml``)."""
    if domain != "core":
        return None
    from ssl_core.config import read_yaml_resource

    return read_yaml_resource("core.yaml")
