"""The data of a ``traffic/stssdl`` run: windows, splits and the state fitted on the training period.

:func:`build_data` reads (or simulates) the series and the graph once and fits the scaler and the
history-average table (:mod:`ssl_plugin_traffic.windows`). :class:`TrafficData` keeps in its
``state_dict`` what a run needs without its files: the fitted state, the graph, the sensor ids,
the time step, the window lengths and the test stretch of the series (``evaluate`` reads it);
:func:`restore_data` rebuilds the object from it. The training split never enters the state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from ssl_core.data import TensorDictDataset
from ssl_core.errors import DataError

from .config import STSSDLArgs
from .graph import load_graph
from .series import TrafficSeries, load_series
from .simulator import SimulatorConfig, simulate
from .windows import Scaler, history_slots, history_table, time_of_day

__all__ = ["TrafficData", "build_data", "find_graph", "load_series", "restore_data", "TrafficSeries"]

SPLITS = ("train", "val", "test")


@dataclass
class TrafficData:
    """A stretch of a series cut into windows, with its splits and fitted state.

    Attributes:
        values: ``(T, N)`` raw readings (missing = 0); ``tod`` / ``slots``: ``(T,)`` time-of-day and
            history-anchor slot of each timestep.
        starts: first timestep of each window, per split (a restored run keeps ``"test"`` only).
        adj: ``(N, N)`` raw adjacency; ``sensor_ids``: the ``N`` sensor ids.
        interval_minutes: minutes between readings; ``in_len`` / ``out_len``: window lengths.
        scaler: fitted on valid training readings; ``weekly``: anchor slots are weekly;
            ``table``: ``(num_slots, N)`` history averages of the training period.
        source: the series file (for error messages).
        train: the training windows (``None`` once restored from a run directory).
    """

    values: np.ndarray
    tod: np.ndarray
    slots: np.ndarray
    starts: dict[str, np.ndarray]
    adj: np.ndarray
    sensor_ids: list[str]
    interval_minutes: int
    in_len: int
    out_len: int
    scaler: Scaler
    weekly: bool
    table: np.ndarray
    source: str = ""
    train: Dataset[Any] | None = None  # the protocol type (RunData.train is a mutable attribute)

    @classmethod
    def build(
        cls,
        series: TrafficSeries,
        adj: np.ndarray,
        in_len: int = 12,
        out_len: int = 12,
        fractions: tuple[float, float] = (0.7, 0.1),
    ) -> TrafficData:
        """Cut windows, split 70/10/20 chronologically, fit scaler and anchor on training data."""
        total = series.values.shape[0]
        count = total - in_len - out_len + 1
        if count <= 0:
            raise DataError(
                series.source, "timesteps", f"{total} timesteps is fewer than one window ({in_len}+{out_len})"
            )
        n_train, n_val = int(round(count * fractions[0])), int(round(count * fractions[1]))
        bounds = (0, n_train, n_train + n_val, count)
        starts = {name: np.arange(bounds[i], bounds[i + 1]) for i, name in enumerate(SPLITS)}
        for name, idx in starts.items():
            if idx.size == 0:
                raise DataError(series.source, "timesteps", f"{total} timesteps leave the {name} split empty")
        end = n_train - 1 + in_len + out_len  # last timestep seen by a training sample
        spd, step = series.steps_per_day, series.interval_minutes
        weekly = end >= 14 * spd
        slots = history_slots(series.timestamps, step, weekly)
        table = history_table(series.values, slots, spd * (7 if weekly else 1), end)
        try:
            scaler = Scaler.fit(series.values[:end])
        except ValueError:
            raise DataError(series.source, "values", "no valid (> 0) reading in the training split") from None
        tod = time_of_day(series.timestamps, step)
        data = cls(series.values, tod, slots, starts, adj, list(series.sensor_ids), step, in_len, out_len,
                   scaler, weekly, table, series.source)  # fmt: skip
        data.train = TensorDictDataset(data.tensors("train"), source=series.source)
        return data

    @property
    def num_nodes(self) -> int:
        """Number of sensors ``N``."""
        return int(self.values.shape[1])

    @property
    def steps_per_day(self) -> int:
        """Timesteps per day (288 for 5-minute data)."""
        return (24 * 60) // self.interval_minutes

    def tensors(self, split: str) -> dict[str, Tensor]:
        """Per-sample tensors of one split: ``x`` (scaled), ``y`` (raw), ``tod_x``, ``tod_y``, ``slot_x``."""
        starts = torch.from_numpy(self.starts[split])
        tx = starts[:, None] + torch.arange(self.in_len)[None, :]
        ty = starts[:, None] + self.in_len + torch.arange(self.out_len)[None, :]
        values, tod = torch.from_numpy(self.values), torch.from_numpy(self.tod)
        return {
            "x": self.scaler.transform(values[tx]),
            "y": values[ty],
            "tod_x": tod[tx],
            "tod_y": tod[ty],
            "slot_x": torch.from_numpy(self.slots)[tx],
        }

    @property
    def eval(self) -> TensorDictDataset:
        """The test windows."""
        return TensorDictDataset(self.tensors("test"), source=self.source)

    def state_dict(self) -> dict[str, Any]:
        """The fitted state, the graph and the test stretch of the series (weights_only-loadable)."""
        lo, hi = int(self.starts["test"][0]), int(self.starts["test"][-1]) + self.in_len + self.out_len
        arrays = {"values": self.values[lo:hi], "tod": self.tod[lo:hi], "slots": self.slots[lo:hi],
                  "test_starts": self.starts["test"] - lo, "adj": self.adj, "table": self.table}  # fmt: skip
        return {
            **{k: torch.from_numpy(np.array(v)) for k, v in arrays.items()},
            "scaler": [self.scaler.mean, self.scaler.std],
            "sensor_ids": list(self.sensor_ids),
            "interval_minutes": self.interval_minutes,
            "in_len": self.in_len,
            "out_len": self.out_len,
            "weekly": self.weekly,
            "source": self.source,
        }

    @classmethod
    def from_state(cls, state: Mapping[str, Any]) -> TrafficData:
        """The data object of a finished run (test split only) from :meth:`state_dict`."""
        arrays = {k: state[k].numpy() for k in ("values", "tod", "slots", "test_starts", "adj", "table")}
        mean, std = state["scaler"]
        return cls(arrays["values"], arrays["tod"], arrays["slots"], {"test": arrays["test_starts"]},
                   arrays["adj"], list(state["sensor_ids"]), int(state["interval_minutes"]),
                   int(state["in_len"]), int(state["out_len"]), Scaler(float(mean), float(std)),
                   bool(state["weekly"]), arrays["table"], str(state["source"]))  # fmt: skip


def find_graph(data: Path) -> Path:
    """The single ``*adj*`` / ``*distance*`` file next to ``data``, else a DataError."""
    found = sorted(
        p
        for p in data.parent.iterdir()
        if p != data
        and p.suffix.lower() in (".csv", ".npz")
        and ("adj" in p.stem.lower() or "distance" in p.stem.lower())
    )
    if len(found) != 1:
        names = ", ".join(p.name for p in found) or "none"
        raise DataError(
            data, "graph", f"pass --graph: cannot pick the adjacency next to the data (found {names})"
        )
    return found[0]


def build_data(args: STSSDLArgs) -> TrafficData:
    """Load (or simulate) the series and the graph, cut the windows and fit the training state."""
    if args.data is None:
        series, adj = simulate(SimulatorConfig(nodes=args.sim_nodes, days=args.sim_days, seed=args.sim_seed))
    else:
        series = load_series(
            args.data, start=args.start, interval_minutes=args.interval_minutes, channel=args.channel
        )
        adj = load_graph(args.graph or find_graph(Path(args.data)), series.num_nodes)
    return TrafficData.build(series, adj, args.in_len, args.out_len)


def restore_data(args: STSSDLArgs, state: Mapping[str, Any]) -> TrafficData:
    """The data object of a finished run from its saved state (no file is read)."""
    return TrafficData.from_state(state)
