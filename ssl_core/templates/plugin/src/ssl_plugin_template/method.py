"""The template's SSL module: the core two-view method over the template's views, encoder and loss."""

from __future__ import annotations

from ssl_core.methods import TwoViewMethod
from ssl_core.nn import MLP
from ssl_plugin_template.config import TemplateArgs
from ssl_plugin_template.data import TemplateData
from ssl_plugin_template.encoders import TemplateEncoder
from ssl_plugin_template.objectives import AlignUniformLoss
from ssl_plugin_template.views import NoiseMaskViews


def build_module(args: TemplateArgs, data: TemplateData) -> TwoViewMethod:
    """Two views (jitter + masking) -> MLP encoder -> projector -> alignment + uniformity."""
    dim = int(data.mean.numel())
    return TwoViewMethod(
        views=NoiseMaskViews("x", args.noise, args.mask_ratio),
        encoder=TemplateEncoder(dim, args.hidden, args.out_dim),
        projector=MLP([args.out_dim, args.hidden, args.out_dim], norm="layer"),
        objective=AlignUniformLoss(),
    )
