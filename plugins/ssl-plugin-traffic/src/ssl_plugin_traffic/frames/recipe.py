"""``traffic/frames``: VICReg (or NT-Xent) between frame projections of per-sensor traffic windows.

Data: any series :func:`~ssl_plugin_traffic.data.load_series` reads (or the embedded simulator),
cut into per-sensor windows (:mod:`.windows`); every ``eval_every``-th sensor is held out as
``eval_data`` with labels ``tod`` (time-of-day bucket) and ``daytype`` (weekday / weekend), both
read from the series' timestamps.

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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import torch

from ssl_core.data import TensorDictDataset
from ssl_core.errors import ConfigError
from ssl_core.interfaces import EmbeddingObjective, ViewGenerator
from ssl_core.methods import TwoViewMethod
from ssl_core.nn import MLP, MLPEncoder
from ssl_core.objectives import NTXentLoss, VICRegLoss
from ssl_core.recipe_builder import RecipeBuilder
from ssl_core.views import FourierFrameView, IdentityView, MultiView, WaveletFrameView

from ..data import TrafficSeries, load_series
from ..simulator import SimulatorConfig, simulate
from ..windows import Scaler
from .args import FramesArgs
from .windows import pair_windows, sensor_windows

__all__ = ["FRAMES", "NAME", "FramesData", "load_frames_series"]

NAME = "traffic/frames"


def _error(field: str, reason: str) -> ConfigError:
    return ConfigError(f"<{NAME} arguments>", f"recipe_args.{field}", reason)


def load_frames_series(args: FramesArgs) -> TrafficSeries:
    """The series of ``args.data`` (validated by ``load_series``), or the simulator's when it is ``None``."""
    if args.data is None:
        series, _ = simulate(SimulatorConfig(nodes=args.sim_nodes, days=args.sim_days, seed=args.sim_seed))
        return series
    return load_series(
        args.data, start=args.start, interval_minutes=args.interval_minutes, channel=args.channel
    )


def _check(args: FramesArgs, series: TrafficSeries) -> None:
    """One-line ``ConfigError``s for arguments that do not fit the series."""
    steps, n_total = series.values.shape
    if not 2 <= args.eval_every <= n_total:
        raise _error("eval_every", f"must be in [2, {n_total}] (the series has {n_total} sensors)")
    if not 2 <= args.window <= steps:
        raise _error("window", f"must be in [2, {steps}] (the series has {steps} timesteps)")
    if args.stride < 1 or (args.eval_stride is not None and args.eval_stride < 1):
        raise _error("stride", "stride and eval_stride must be >= 1")
    if args.frame == "both" and args.objective != "ntxent":
        raise _error("frame", "'both' (three views) needs objective ntxent")


def _frame_views(args: FramesArgs) -> list[ViewGenerator]:
    """The frame views: ``fourier``, ``wavelet`` or both (the three-view IsoAlign set-up)."""
    out: list[ViewGenerator] = []
    if args.frame in ("fourier", "both"):
        out.append(FourierFrameView("x_pair", name="fourier"))
    if args.frame in ("wavelet", "both"):
        out.append(WaveletFrameView("x_pair", name="wavelet", num_scales=args.num_scales))
    return out


def _objective(args: FramesArgs) -> EmbeddingObjective:
    if args.objective == "vicreg":
        return VICRegLoss()
    return NTXentLoss(temperature=args.temperature)


def _module(args: FramesArgs, sample: torch.Tensor) -> TwoViewMethod:
    """Time encoder + one encoder per frame view, a shared BN projector and the objective."""
    frames = _frame_views(args)
    encoders = {"time": MLPEncoder("x", (args.window,), args.dim, args.hidden)}
    for frame in frames:
        shape = frame({"x_pair": sample})[frame.view_names[0]]["x_pair"].shape[1:]
        encoders[frame.view_names[0]] = MLPEncoder("x_pair", tuple(shape), args.dim, args.hidden)
    views = MultiView([IdentityView("time"), *frames])
    projector = MLP([args.dim, args.proj_dim, args.proj_dim], norm="batch")
    return TwoViewMethod(
        views, encoders, projector, _objective(args), tuple(encoders), objective_name=args.objective
    )


@dataclass
class FramesData:
    """Per-sensor windows: ``train`` (training sensors), ``eval`` (held-out sensors, labelled).

    ``state_dict`` keeps the scaler, the sensor split, one training window (the frame views'
    shapes) and the held-out windows, so the module and its evaluation need no file.
    """

    eval_tensors: dict[str, torch.Tensor]
    label_key: str
    source: str
    scaler: Scaler
    train_sensors: torch.Tensor
    eval_sensors: torch.Tensor
    sample: torch.Tensor
    train: TensorDictDataset | None = None

    @property
    def eval(self) -> TensorDictDataset:
        """The held-out sensors' windows with their ``tod`` / ``daytype`` labels."""
        return TensorDictDataset(self.eval_tensors, source=self.source)

    def state_dict(self) -> dict[str, Any]:
        """Scaler, sensor split, a sample window and the held-out windows."""
        return {
            "eval": self.eval_tensors,
            "label_key": self.label_key,
            "source": self.source,
            "scaler": [self.scaler.mean, self.scaler.std],
            "train_sensors": self.train_sensors,
            "eval_sensors": self.eval_sensors,
            "sample": self.sample,
        }


def build_frames_data(args: FramesArgs) -> FramesData:
    """Read (or simulate) the series, split the sensors, fit the scaler, cut the windows."""
    series = load_frames_series(args)
    _check(args, series)
    held_out = torch.arange(series.num_nodes) % args.eval_every == 0
    train_sensors, eval_sensors = (~held_out).nonzero().flatten(), held_out.nonzero().flatten()
    scaler = Scaler.fit(series.values[:, train_sensors.numpy()])
    common: dict[str, Any] = {"window": args.window, "tod_buckets": args.tod_buckets, "scaler": scaler}
    train = sensor_windows(series, train_sensors, stride=args.stride, **common)
    evals = sensor_windows(series, eval_sensors, stride=args.eval_stride or args.window, **common)
    train["x_pair"] = (
        pair_windows(train["x"], len(train_sensors), args.seed)
        if args.positive == "other-sensor"
        else train["x"]
    )
    data = FramesData(evals, args.label, series.source, scaler, train_sensors, eval_sensors, train["x"][:1])
    data.train = TensorDictDataset(train, source=series.source)
    return data


def restore_frames_data(args: FramesArgs, state: Mapping[str, Any]) -> FramesData:
    """The data object of a finished run from its ``data.pt`` (no file read)."""
    mean, std = state["scaler"]
    return FramesData(
        dict(state["eval"]), state["label_key"], state["source"], Scaler(float(mean), float(std)),
        state["train_sensors"], state["eval_sensors"], state["sample"],
    )  # fmt: skip


def build_frames_module(args: FramesArgs, data: FramesData) -> TwoViewMethod:
    """The module of ``args`` for windows shaped like ``data.sample``."""
    return _module(args, data.sample)


FRAMES = RecipeBuilder(NAME, FramesArgs, build_frames_data, build_frames_module, restore_frames_data)
"""``traffic/frames``: the recipe (data + module) registered by the traffic plugin."""
