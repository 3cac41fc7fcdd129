"""Arguments of the ``traffic/frames`` recipe: a plain dataclass, importable without torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FramesArgs"]


@dataclass
class FramesArgs:
    """``recipe_args`` of ``traffic/frames``.

    Attributes:
        data: a series file (``.h5``/``.npz``/``.csv``, read by :func:`ssl_plugin_traffic.data.load_series`,
            e.g. ``$SSL_DATA_DIR/traffic/los_loop/los_speed.csv``) or ``None`` for the embedded simulator.
        start, interval_minutes, channel: passed to ``load_series`` (timestamps of files without
            any; the labels' steps per day and weekdays come from these timestamps).
        window: steps per window (24 = two hours of 5-minute data).
        stride: step between training windows.
        eval_stride: step between evaluation windows (default: ``window``, no overlap).
        eval_every: every ``eval_every``-th sensor is held out for evaluation (never seen in training).
        tod_buckets: number of equal time-of-day classes.
        frame: the frame projection view(s): ``fourier``, ``wavelet`` or ``both`` (three views,
            needs ``objective="ntxent"``).
        positive: ``other-sensor`` pairs the time view of one sensor with the frame view of another
            random training sensor over the same time window; ``same`` uses the same window for both.
        objective: ``vicreg`` or ``ntxent``.
        temperature: NT-Xent temperature (frame projections use 0.15).
        dim, hidden, proj_dim: encoder output, encoder hidden and projector widths.
        num_scales: wavelet scales for ``frame=wavelet``.
        label: label carried as ``label_key`` for the online probe and ``ssl eval`` (``tod`` or ``daytype``).
        seed: seed of the positive-pair sampling.
        sim_nodes, sim_days, sim_seed: the simulator's size and seed when ``data`` is ``None``.
    """

    data: str | None = None
    start: str | None = None
    interval_minutes: int | None = None
    channel: int = 0
    window: int = 24
    stride: int = 3
    eval_stride: int | None = None
    eval_every: int = 5
    tod_buckets: int = 4
    frame: Literal["fourier", "wavelet", "both"] = "fourier"
    positive: Literal["other-sensor", "same"] = "other-sensor"
    objective: Literal["vicreg", "ntxent"] = "vicreg"
    temperature: float = 0.15
    dim: int = 64
    hidden: int = 128
    proj_dim: int = 256
    num_scales: int = 6
    label: Literal["tod", "daytype"] = "tod"
    seed: int = 0
    sim_nodes: int = 40
    sim_days: int = 28
    sim_seed: int = 0
