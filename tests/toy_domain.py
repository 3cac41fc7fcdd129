"""A toy domain plugin for the lifecycle tests: every DomainSpec feature, in a few dozen lines."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from torch import Tensor, nn

from ssl_core import Component, DomainSpec, PluginTable
from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError
from ssl_core.evaluation import ComparisonRow, embed_dataset, probe_comparison
from ssl_core.interfaces import Encoder
from ssl_core.methods import TwoViewMethod
from ssl_core.objectives import VICRegLoss
from ssl_core.recipe_builder import RecipeBuilder
from ssl_core.views.masking import MaskingView

DOMAIN = "toy"


@dataclass
class ToyArgs:
    """``recipe_args`` of ``toy/default``.

    Attributes:
        data: an ``.npz`` with ``x`` (N, 6) and ``y`` (N,), or None for synthetic data.
        width: encoder width.
        mode: how the toy behaves.
        tags: free tags.
        scale: input scale.
        strong: whether to be strong.
    """

    data: str | None = None
    width: int = field(default=8, metadata={"help": "Hidden width of the toy encoder."})
    mode: Literal["a", "b"] = "a"
    tags: list[str] = field(default_factory=list)
    scale: float = 1.0
    strong: bool = False
    n: int = 96
    ssl: bool = True
    init_from: str | None = field(default=None, metadata={"path": True, "help": "A file to start from."})

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ValueError(f"n must be positive, got {self.n}")


class ToyEncoder(Encoder):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.net, self.output_dim = (
            nn.Sequential(nn.Linear(6, width), nn.ReLU(), nn.Linear(width, width)),
            width,
        )

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        return {"pooled": self.net(batch["x"])}


@dataclass
class ToyData:
    mean: Tensor
    eval_x: Tensor
    eval_y: Tensor
    train: TensorDictDataset | None = None
    label_key: str = "y"

    @property
    def eval(self) -> TensorDictDataset:
        return TensorDictDataset({"x": self.eval_x, "y": self.eval_y})

    def state_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "eval_x": self.eval_x, "eval_y": self.eval_y}


def build_data(args: ToyArgs) -> ToyData:
    if args.data is None:
        gen = torch.Generator().manual_seed(0)
        y = torch.randint(0, 3, (args.n,), generator=gen)
        x = torch.randn(args.n, 6, generator=gen) + y[:, None].float()
    else:
        arrays = np.load(args.data, allow_pickle=False)
        x, y = torch.from_numpy(arrays["x"]).float(), torch.from_numpy(arrays["y"]).long()
    mean = x[: len(x) // 2].mean(0)
    data = ToyData(mean, x[len(x) // 2 :] - mean, y[len(x) // 2 :])
    data.train = TensorDictDataset({"x": x[: len(x) // 2] - mean})
    return data


def restore_data(args: ToyArgs, state: Mapping[str, Any]) -> ToyData:
    return ToyData(state["mean"], state["eval_x"], state["eval_y"])


def build_module(args: ToyArgs, data: ToyData) -> TwoViewMethod:
    views = MaskingView("x", axis=1, ratio=0.3 if args.ssl else 0.0)
    return TwoViewMethod(views=views, encoder=ToyEncoder(args.width), projector=None, objective=VICRegLoss())


def evaluate(module: Any, data: ToyData, ctx: Any) -> list[ComparisonRow]:
    ssl, _ = embed_dataset(module, data.eval, device=ctx.device)
    base = {name: embed_dataset(m, data.eval, device=ctx.device)[0] for name, m in ctx.baselines.items()}
    base["random init"] = embed_dataset(ctx.random_init(), data.eval, device=ctx.device)[0]
    return probe_comparison(ssl, base, data.eval_y, task="toy label", seeds=[0] if ctx.quick else [0, 1])


def embed_input(path: Path, run: Any) -> dict[str, Tensor]:
    x = np.load(path, allow_pickle=False)
    if x.ndim != 2 or x.shape[1] != 6:
        raise DataError(path, "x", f"expected shape (N, 6), got {x.shape}")
    return {"x": torch.from_numpy(x).float() - run.recipe.data.mean}


def _tiny_png() -> bytes:
    """A valid 1x1 PNG (red pixel), built by hand: the report inlines PNG figures as data URIs."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def report_figures(run_dir: Path, run: Any) -> list[Any]:
    """The toy domain's own report figures (``DomainSpec.report_figures``): an SVG chart and a PNG."""
    from ssl_core.report import ReportFigure, line_chart

    mean = run.recipe.data.mean.tolist()
    svg = line_chart("input means", {"mean": (list(range(len(mean))), mean)}, xlabel="feature")
    return [
        ReportFigure("toy <means>", svg=svg, caption="feature means of the training half (x < 1 & y)"),
        ReportFigure("toy png", png=_tiny_png()),
    ]


RECIPE = RecipeBuilder("toy/default", ToyArgs, build_data, build_module, restore_data)


def default_config() -> dict[str, Any]:
    return {
        "recipe": "toy/default",
        "train": {
            "steps": 4,
            "batch_size": 16,
            "device": "cpu",
            "progress": False,
            "ckpt_every": 2,
            "log_every": 1,
        },
        "optim": {"name": "adamw", "lr": 1e-3},
    }


TABLE = PluginTable(
    name=DOMAIN,
    package=__name__,
    description="toy lifecycle domain",
    default_config=f"{__name__}:default_config",
    lifecycle=DomainSpec(
        recipe="default",
        evaluate=f"{__name__}:evaluate",
        embed_input=f"{__name__}:embed_input",
        options=("width", "mode", "tags", "scale", "strong", "init_from"),
        quick=("train.steps=2",),
        baselines={"no-ssl": ("recipe_args.ssl=false",)},
        examples="ssl-toy pretrain --width 4",
        report_figures=f"{__name__}:report_figures",
    ),
    components=[
        Component("encoders", "enc", f"{__name__}:ToyEncoder", "toy encoder"),
        Component("recipes", "default", f"{__name__}:RECIPE", "toy recipe", config_cls=f"{__name__}:ToyArgs"),
    ],
)
PLUGIN = TABLE.manifest
globals().update(TABLE.hookimpls())


@dataclass
class ToyChildArgs(ToyArgs):
    """Inherits every field; documents none of them."""


def install_alone() -> None:
    """Worker setup of the ``ssl demo --jobs`` tests: the process-wide plugin manager of a worker
    process holds the core and this toy domain (the tests' own manager does not cross processes)."""
    import sys

    from ssl_core.plugins.manager import SSLPluginManager, reset_plugin_manager

    pm = SSLPluginManager(autoload=False).load()
    pm.register(sys.modules[__name__], DOMAIN)
    reset_plugin_manager(pm)


def die_in_worker() -> None:
    """Worker setup of the ``ssl demo --jobs`` tests: the worker process dies before it reports."""
    import os

    os._exit(3)


def hang_in_worker() -> None:
    """Worker setup of the ``ssl demo --jobs`` tests: the worker runs until it is stopped."""
    import time

    time.sleep(600)


def exit_quietly_in_worker() -> None:
    """Worker setup of the ``ssl demo --jobs`` tests: the worker exits with code 0 without reporting."""
    import os

    os._exit(0)
