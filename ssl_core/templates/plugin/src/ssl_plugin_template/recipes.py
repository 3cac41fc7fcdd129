"""Recipes of the template domain: data + SSL module + defaults, built from validated arguments."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ssl_core.data import TensorDictDataset
from ssl_core.interfaces import Recipe
from ssl_core.methods import TwoViewMethod
from ssl_core.nn import MLP
from ssl_plugin_template.encoders import TemplateEncoder
from ssl_plugin_template.objectives import AlignUniformLoss
from ssl_plugin_template.views import NoiseMaskViews


@dataclass
class DefaultArgs:
    """``recipe_args`` of ``template/default`` (validated: unknown keys and wrong types are errors)."""

    n_samples: int = 2048
    dim: int = 32
    n_classes: int = 8
    hidden: int = 64
    out_dim: int = 32
    noise: float = 0.3
    mask_ratio: float = 0.2
    data_seed: int = 0


def synthetic_clusters(n: int, dim: int, n_classes: int, seed: int) -> dict[str, torch.Tensor]:
    """``{"x": (n, dim) float32, "label": (n,) int64}``: Gaussian clusters around random centres."""
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randn(n_classes, dim, generator=gen) * 2.0
    label = torch.randint(0, n_classes, (n,), generator=gen)
    x = centres[label] + torch.randn(n, dim, generator=gen)
    return {"x": x, "label": label}


def make_recipe(**kwargs: object) -> Recipe:
    """Build ``template/default`` from ``recipe_args`` (see :class:`DefaultArgs`)."""
    args = DefaultArgs(**kwargs)  # type: ignore[arg-type]
    train = synthetic_clusters(args.n_samples, args.dim, args.n_classes, args.data_seed)
    held_out = synthetic_clusters(max(args.n_samples // 4, 64), args.dim, args.n_classes, args.data_seed)
    module = TwoViewMethod(
        views=NoiseMaskViews("x", args.noise, args.mask_ratio),
        encoder=TemplateEncoder(args.dim, args.hidden, args.out_dim),
        projector=MLP([args.out_dim, args.hidden, args.out_dim], norm="layer"),
        objective=AlignUniformLoss(),
    )
    return Recipe(
        name="template/default",
        module=module,
        train_data=TensorDictDataset({"x": train["x"]}),
        eval_data=TensorDictDataset(held_out),
        label_key="label",
    )
