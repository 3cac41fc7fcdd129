"""``core/synthetic``: two-view SSL on seeded Gaussian clusters, built only from core components.

Runs anywhere in seconds on a CPU and needs no data files, so ``ssl init core && ssl train`` works
on a fresh install. Data: ``n_clusters`` Gaussian clusters in ``dim`` dimensions; the evaluation set
carries ``label`` = cluster index modulo ``n_classes``. Views: two independent random feature
maskings (:class:`~ssl_core.views.MaskingView`); encoder: :class:`~ssl_core.nn.MLPEncoder`; method:
:class:`~ssl_core.methods.TwoViewMethod` with a batch-norm projector and VICReg (Bardes et al.,
ICLR 2022) or NT-Xent (SimCLR, Chen et al. 2020). ``ssl eval`` linear-probes ``label`` on the
frozen encoder against the same encoder randomly initialised.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ssl_core.data import TensorDictDataset
from ssl_core.errors import ConfigError
from ssl_core.interfaces import EmbeddingObjective, Recipe
from ssl_core.methods import TwoViewMethod
from ssl_core.nn import MLP, MLPEncoder
from ssl_core.objectives import NTXentLoss, VICRegLoss
from ssl_core.recipes.synthetic_args import SyntheticArgs
from ssl_core.schema import FieldValueError
from ssl_core.views import MaskingView, MultiView

__all__ = ["NAME", "gaussian_clusters", "synthetic_recipe"]

NAME = "core/synthetic"


def gaussian_clusters(
    n: int, centres: Tensor, n_classes: int, generator: torch.Generator
) -> dict[str, Tensor]:
    """``{"x": (n, dim), "cluster": (n,), "label": (n,)}``: unit-variance samples around ``centres``."""
    cluster = torch.randint(0, len(centres), (n,), generator=generator)
    x = centres[cluster] + torch.randn(n, centres.shape[1], generator=generator)
    return {"x": x, "cluster": cluster, "label": cluster % n_classes}


def _objective(args: SyntheticArgs) -> EmbeddingObjective:
    if args.objective == "vicreg":
        return VICRegLoss()
    return NTXentLoss(temperature=args.temperature)


def synthetic_recipe(**kwargs: Any) -> Recipe:
    """Factory of ``core/synthetic`` from :class:`SyntheticArgs` keyword arguments."""
    try:
        args = SyntheticArgs(**kwargs)  # ranges: SyntheticArgs.__post_init__
    except FieldValueError as exc:
        raise ConfigError(f"<{NAME} arguments>", f"recipe_args.{exc.field}", exc.reason) from None
    gen = torch.Generator().manual_seed(args.data_seed)
    centres = args.separation * torch.randn(args.n_clusters, args.dim, generator=gen)
    train = gaussian_clusters(args.n_train, centres, args.n_classes, gen)
    evals = gaussian_clusters(args.n_eval, centres, args.n_classes, gen)
    mask = MaskingView("x", axis=1, ratio=args.mask_ratio, keep_original=False)
    module = TwoViewMethod(
        MultiView([mask, mask]),
        MLPEncoder("x", (args.dim,), args.embed_dim, args.hidden),
        MLP([args.embed_dim, args.proj_dim, args.proj_dim], norm="batch"),
        _objective(args),
        objective_name=args.objective,
    )
    return Recipe(
        name=NAME,
        module=module,
        train_data=TensorDictDataset({"x": train["x"]}, source=NAME),
        eval_data=TensorDictDataset(evals, source=NAME),
        label_key="label",
    )
