"""Charge curves: validated per-cycle charging series, their common time grid and their snippets.

A :class:`ChargeCurve` is one charge (CC and CV steps) of one cell in one cycle, with charge current
positive, in A, V, degrees C and s; ``capacity`` is the label (Ah of the discharge that follows, or the
pack's SOH times its rating), ``rated`` the capacity that SOH 1.0 means. :func:`check_series` holds the
checks every loader shares (NaN rows, time going backwards, mA instead of A, a flipped charge sign)
and names the file, sheet / column and row of the first problem. Snippets are ``window`` steps of the
curve resampled (linear interpolation) to a common ``grid_s``-second grid, at random starts (random
start state of charge), with channels voltage, current, temperature (0 where not measured) and the
charge Q (Ah) since the start of the charge step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError

CHANNELS = ("voltage", "current", "temperature", "charge_Ah")
#: A cell-level file whose median charge current exceeds this (A) with a voltage under 5 V is in mA.
MAX_CELL_CURRENT = 20.0
#: Current (A) above which a row counts as charging.
CHARGE_THRESHOLD = 0.01


@dataclass
class ChargeCurve:
    """One charge of one cell: ``t`` (s from its start), ``v`` (V), ``i`` (A, + = charge), ``temp``
    (degrees C or ``None``), ``q`` (Ah charged since its start); label ``capacity`` (Ah, NaN: none)."""

    cell: str
    cycle: int
    t: np.ndarray
    v: np.ndarray
    i: np.ndarray
    temp: np.ndarray | None
    q: np.ndarray
    capacity: float
    rated: float

    @property
    def soh(self) -> float:
        """State of health: ``capacity / rated`` (NaN when unlabelled)."""
        return self.capacity / self.rated


def first_bad_row(values: np.ndarray) -> int | None:
    """Index of the first non-finite value, or ``None``."""
    bad = np.flatnonzero(~np.isfinite(values))
    return int(bad[0]) if len(bad) else None


def check_series(
    file: str | Path,
    where: str,
    columns: dict[str, np.ndarray],
    rows: np.ndarray,
    *,
    time: str,
    current: str,
    max_current: float | None = MAX_CELL_CURRENT,
) -> None:
    """Refuse NaN cells, time going backwards and a current in mA, naming ``where`` (sheet), column and row.

    Args:
        file: the input file (for the message).
        where: ``"sheet X: "`` or ``""``.
        columns: column name -> values (the checked columns).
        rows: the file's row number of each value.
        time, current: which of ``columns`` are the time and the current.
        max_current: median charge current (A) above which the column is taken to be in mA
            (``None``: no check, for pack-level currents).
    """
    for name, values in columns.items():
        bad = first_bad_row(values)
        if bad is not None:
            raise DataError(
                file, f"{where}{name}", f"row {rows[bad]}: missing or non-numeric value (NaN row)"
            )
    back = np.flatnonzero(np.diff(columns[time]) < 0)
    if len(back):
        k = int(back[0]) + 1
        raise DataError(file, f"{where}{time}", f"row {rows[k]}: time goes backwards "
                                                f"({columns[time][k]:g} s after {columns[time][k - 1]:g} s)")  # fmt: skip
    amps = np.abs(columns[current])
    charging = amps[amps > CHARGE_THRESHOLD]
    if max_current is not None and len(charging) and float(np.median(charging)) > max_current:
        raise DataError(file, f"{where}{current}", f"median |current| {np.median(charging):.1f} is not a cell "
                                                   "current in A (in mA?): convert the column to A")  # fmt: skip


def charge_rows(
    file: str | Path, where: str, cycle: int, i: np.ndarray, v: np.ndarray, rows: np.ndarray
) -> np.ndarray:
    """Indices of the cycle's charge rows (first to last row with current > threshold).

    Raises:
        DataError: no charge row (naming the cycle's first row), or charging with a negative current
            while the voltage rises (the sign convention is flipped).
    """
    pos = np.flatnonzero(i > CHARGE_THRESHOLD)
    if len(pos) == 0:
        neg = np.flatnonzero(i < -CHARGE_THRESHOLD)
        if rising(v[neg]):
            raise DataError(file, f"{where}current", f"row {rows[neg[0]]}: cycle {cycle} charges with a negative "
                                                     "current (flipped sign?): charge current must be positive")  # fmt: skip
        raise DataError(
            file, f"{where}cycle", f"row {rows[0]}: cycle {cycle} has no charge step (no positive current)"
        )
    return np.arange(pos[0], pos[-1] + 1)


def rising(v: np.ndarray) -> bool:
    """Whether a voltage series mostly rises (a charge): more than half of its steps go up."""
    return len(v) > 2 and float(np.mean(np.diff(v) > 0)) > 0.5


def make_curve(cell: str, cycle: int, t: np.ndarray, v: np.ndarray, i: np.ndarray, temp: np.ndarray | None,
               capacity: float, rated: float, q: np.ndarray | None = None) -> ChargeCurve:  # fmt: skip
    """A curve from a charge step's rows: time from 0, Q by trapezoidal integration when not given."""
    t = np.asarray(t, np.float64) - float(t[0])
    if q is None:
        q = np.concatenate([[0.0], np.cumsum(0.5 * (i[1:] + i[:-1]) * np.diff(t))]) / 3600.0
    return ChargeCurve(cell, int(cycle), t, np.asarray(v, np.float64), np.asarray(i, np.float64),
                       None if temp is None else np.asarray(temp, np.float64), np.asarray(q, np.float64),
                       float(capacity), float(rated))  # fmt: skip


def resample(curve: ChargeCurve, grid_s: float) -> np.ndarray:
    """``(L, 4)`` float32 channels of :data:`CHANNELS` on the ``grid_s`` grid from 0 to the curve's end."""
    grid = np.arange(0.0, float(curve.t[-1]) + 1e-9, grid_s)
    temp = np.zeros_like(curve.t) if curve.temp is None else curve.temp
    cols = [np.interp(grid, curve.t, c) for c in (curve.v, curve.i, temp, curve.q)]
    return np.stack(cols, axis=1).astype(np.float32)


def window_starts(
    lengths: np.ndarray, window: int, per_curve: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``(curve index, start)`` of ``per_curve`` random windows in every curve at least ``window`` long."""
    rng = np.random.default_rng(seed)
    idx, starts = [], []
    for k, n in enumerate(lengths):
        if n >= window:
            idx.append(np.full(per_curve, k))
            starts.append(rng.integers(0, n - window + 1, per_curve))
    if not idx:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(idx).astype(np.int64), np.concatenate(starts).astype(np.int64)


def ic_features(snippets: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Incremental-capacity features of raw ``(N, T, 4)`` snippets: dQ/dV in voltage bins ``edges``
    (charge gained per bin over its width), plus mean current, start / end voltage and Q span."""
    v, i, q = snippets[..., 0], snippets[..., 1], snippets[..., 3]
    dq = np.diff(q, axis=1)
    mid = 0.5 * (v[:, 1:] + v[:, :-1])
    bins = np.clip(np.searchsorted(edges, mid) - 1, 0, len(edges) - 2)
    ic = np.zeros((len(v), len(edges) - 1))
    np.add.at(ic, (np.repeat(np.arange(len(v)), dq.shape[1]), bins.ravel()), dq.ravel())
    ic /= np.diff(edges)
    extra = np.stack([i.mean(1), v[:, 0], v[:, -1], q[:, -1] - q[:, 0], snippets[..., 2].mean(1)], axis=1)
    return np.concatenate([ic, extra], axis=1)
