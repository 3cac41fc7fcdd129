"""``core/vicreg-frames``: VICReg (or NT-Xent) between frame projections of real traffic windows.

Data: per-sensor windows of the Los-loop speed series (see :mod:`ssl_core.recipes.traffic_windows`);
every ``eval_every``-th sensor is held out as ``eval_data`` with labels ``tod`` (time-of-day bucket)
and ``daytype`` (weekday / weekend).

Views follow "Learning Without Augmenting" (frame projections, eth-siplab): no augmentation, the
time-domain window and its projection onto an orthonormal Fourier basis (or an overcomplete Morlet
wavelet frame), each with its own encoder. With ``positive="other-sensor"`` the frame view is taken
from another random sensor over the same time window, so the invariance learns what sensors share
at a given time (the network-wide traffic state) rather than an identity between two invertible
transforms of one window. Objective: VICReg (Bardes, Ponce, LeCun; ICLR 2022) or NT-Xent
(SimCLR, Chen et al. 2020); ``frame="both"`` gives the paper's three views (time, Fourier, wavelet)
with multi-positive NT-Xent. Probes use only the time-domain encoder.
"""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from ssl_core.data import TensorDictDataset
from ssl_core.errors import ConfigError
from ssl_core.interfaces import EmbeddingObjective, Recipe, ViewGenerator
from ssl_core.methods import TwoViewMethod
from ssl_core.nn import MLP
from ssl_core.objectives import NTXentLoss, VICRegLoss
from ssl_core.recipes.frames_args import FramesTrafficArgs
from ssl_core.recipes.traffic_windows import load_speed_csv, make_windows
from ssl_core.recipes.window_encoder import WindowEncoder
from ssl_core.views import FourierFrameView, IdentityView, MultiView, WaveletFrameView

NAME = "core/vicreg-frames"
DATA_FILE = Path("traffic") / "los_loop" / "los_speed.csv"


def resolve_data_path(data_path: str | None) -> Path:
    """``data_path``, else ``$SSL_DATA_DIR/traffic/los_loop/los_speed.csv``; a ``ConfigError`` if neither."""
    if data_path:
        return Path(data_path).expanduser()
    root = os.environ.get("SSL_DATA_DIR", "").strip()
    if not root:
        raise ConfigError(
            f"<{NAME} arguments>",
            "recipe_args.data_path",
            f"not given and SSL_DATA_DIR is unset (expected $SSL_DATA_DIR/{DATA_FILE})",
        )
    return Path(root).expanduser() / DATA_FILE


def _pair_windows(x: torch.Tensor, n_sensors: int, seed: int) -> torch.Tensor:
    """For each window, the window of a random other sensor over the same time span."""
    n_starts = len(x) // n_sensors
    gen = torch.Generator().manual_seed(seed)
    partner = torch.randint(n_sensors - 1, (len(x),), generator=gen)
    own = torch.arange(len(x)) // n_starts
    partner = partner + (partner >= own).long()
    return x.reshape(n_sensors, n_starts, -1)[partner, torch.arange(len(x)) % n_starts]


def _frame_views(args: FramesTrafficArgs) -> list[ViewGenerator]:
    """The frame views: ``fourier``, ``wavelet`` or both (the three-view IsoAlign set-up)."""
    out: list[ViewGenerator] = []
    if args.frame in ("fourier", "both"):
        out.append(FourierFrameView("x_pair", name="fourier"))
    if args.frame in ("wavelet", "both"):
        out.append(WaveletFrameView("x_pair", name="wavelet", num_scales=args.num_scales))
    return out


def _objective(args: FramesTrafficArgs) -> EmbeddingObjective:
    if args.objective == "vicreg":
        return VICRegLoss()
    return NTXentLoss(temperature=args.temperature)


def vicreg_frames(**kwargs: Any) -> Recipe:
    """Build the recipe from :class:`FramesTrafficArgs` keyword arguments."""
    args = FramesTrafficArgs(**kwargs)
    path = resolve_data_path(args.data_path)
    speed, _ = load_speed_csv(path)
    n_total = speed.shape[1]
    if not 2 <= args.eval_every <= n_total:
        raise ConfigError(f"<{NAME} arguments>", "recipe_args.eval_every", f"must be in [2, {n_total}]")
    held_out = torch.arange(n_total) % args.eval_every == 0
    train_sensors, eval_sensors = (~held_out).nonzero().flatten(), held_out.nonzero().flatten()
    train_speed = speed[:, train_sensors]
    mean, std = float(train_speed.mean()), float(train_speed.std())
    common: dict[str, Any] = {
        "window": args.window,
        "tod_buckets": args.tod_buckets,
        "mean": mean,
        "std": std,
    }
    train = make_windows(speed, train_sensors, stride=args.stride, **common)
    evals = make_windows(speed, eval_sensors, stride=args.eval_stride or args.window, **common)
    train["x_pair"] = (
        _pair_windows(train["x"], len(train_sensors), args.seed)
        if args.positive == "other-sensor"
        else train["x"]
    )
    if args.frame == "both" and args.objective != "ntxent":
        raise ConfigError(
            f"<{NAME} arguments>", "recipe_args.frame", "'both' (three views) needs objective ntxent"
        )
    frames = _frame_views(args)
    encoders = {"time": WindowEncoder("x", (args.window,), args.dim, args.hidden)}
    for frame in frames:
        shape = frame({"x_pair": train["x"][:1]})[frame.view_names[0]]["x_pair"].shape[1:]
        encoders[frame.view_names[0]] = WindowEncoder("x_pair", tuple(shape), args.dim, args.hidden)
    views = MultiView([IdentityView("time"), *frames])
    projector = MLP([args.dim, args.proj_dim, args.proj_dim], norm="batch")
    module = TwoViewMethod(
        views, encoders, projector, _objective(args), tuple(encoders), objective_name=args.objective
    )
    return Recipe(
        name=NAME,
        module=module,
        train_data=TensorDictDataset(train, source=str(path)),
        eval_data=TensorDictDataset(evals, source=str(path)),
        label_key=args.label,
        extras={
            "args": asdict(args),
            "data_path": str(path),
            "mean": mean,
            "std": std,
            "train_sensors": train_sensors,
            "eval_sensors": eval_sensors,
        },
    )
