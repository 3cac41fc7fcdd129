"""Collapse and stall alarms from the label-free monitors (rank 0, every ``train.monitor_every`` steps).

Two alarm kinds, each a pure function of monitor values plus a small stateful :class:`AlarmTracker`
that the engine's monitors feed:

* ``collapse`` (:func:`is_collapsed`): the representation lost its dimensions. It fires when RankMe
  is below ``max(COLLAPSE_RANKME_MIN, COLLAPSE_RANKME_FRACTION * D)`` (an effective rank near 1:
  every sample lies on one direction), or when the per-dimension std of the L2-normalised
  embeddings, multiplied by ``sqrt(D)``, is below ``COLLAPSE_STD_RATIO``. A healthy isotropic
  embedding has a per-dimension std of about ``1 / sqrt(D)`` (SimSiam, Chen & He 2021), so the
  normalised std is about 1; below 0.01 every sample is (nearly) the same point.
* ``stalled`` (:func:`is_stalled`): the loss stopped improving early, or went up (divergence). Over
  the last ``STALL_WINDOW`` monitor rows, split into an older and a newer half: diverging when the
  newer half's median loss exceeds the best of (first half-window of the run, older half) by more
  than ``DIVERGE_REL`` of it; stalled when the newer median is below the older one by less than
  ``STALL_REL_TOL`` and below the run's first half-window by less than ``STALL_MIN_PROGRESS``
  (relative), so a run that improved and then converged stays silent. Medians make one noisy batch
  irrelevant; nothing is judged before the window is full.

An alarm prints one warning line on stderr when it becomes active (not again until it has cleared)
and sets ``alarm/<kind>`` to 1 (0 when inactive) in the monitor row of ``metrics.jsonl``.
:func:`collapse_note` reads a run's ``metrics.jsonl`` back for ``evaluate``'s row notes.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

__all__ = [
    "ADVICE",
    "COLLAPSE_RANKME_FRACTION",
    "COLLAPSE_RANKME_MIN",
    "COLLAPSE_STD_RATIO",
    "DIVERGE_REL",
    "STALL_MIN_PROGRESS",
    "STALL_REL_TOL",
    "STALL_WINDOW",
    "AlarmTracker",
    "collapse_note",
    "collapse_rankme_threshold",
    "is_collapsed",
    "is_stalled",
    "normalised_std",
]

COLLAPSE_RANKME_MIN = 1.5
"""RankMe below this (or below ``COLLAPSE_RANKME_FRACTION * D`` when larger) is a collapse."""
COLLAPSE_RANKME_FRACTION = 0.01
"""Fraction of the embedding dimension below which RankMe is a collapse."""
COLLAPSE_STD_RATIO = 0.01
"""``monitor/std * sqrt(D)`` below this is a collapse (about 1 for an isotropic embedding)."""
STALL_WINDOW = 10
"""Monitor rows the stall rule looks at (two halves of 5)."""
STALL_REL_TOL = 1e-3
"""Least relative improvement of the median loss between the two halves of the window."""
STALL_MIN_PROGRESS = 0.05
"""Least relative improvement since the start that makes a flat window convergence, not a stall."""
DIVERGE_REL = 0.1
"""Rise of the recent median loss above the best earlier median (relative) that counts as divergence."""

ADVICE = {
    "collapse": (
        "try a lower learning rate, a larger batch, stronger augmentations, or a larger "
        "variance / covariance (VICReg) or temperature (contrastive) setting"
    ),
    "stalled": (
        "if training should still improve, try a lower learning rate (or more warmup), gradient "
        "clipping (train.clip_grad), or check the inputs for constant or non-finite features"
    ),
}
"""Generic advice printed with each alarm kind."""


def collapse_rankme_threshold(dim: int) -> float:
    """The RankMe below which an embedding of dimension ``dim`` counts as collapsed."""
    return max(COLLAPSE_RANKME_MIN, COLLAPSE_RANKME_FRACTION * dim)


def normalised_std(std: float, dim: int) -> float:
    """``monitor/std`` (per-dim std of L2-normalised rows) times ``sqrt(dim)``: about 1 when healthy."""
    return std * math.sqrt(dim)


def is_collapsed(rankme: float, std: float, dim: int) -> str | None:
    """The reason ``(rankme, std)`` of a ``dim``-dimensional embedding is a collapse, else None.

    Non-finite values are not judged here (the engine's non-finite guard handles them).
    """
    if not (math.isfinite(rankme) and math.isfinite(std)):
        return None
    if rankme < collapse_rankme_threshold(dim):
        return f"RankMe {rankme:.3g} < {collapse_rankme_threshold(dim):.3g} (embedding dim {dim})"
    ratio = normalised_std(std, dim)
    if ratio < COLLAPSE_STD_RATIO:
        return f"feature std x sqrt(dim) {ratio:.3g} < {COLLAPSE_STD_RATIO:g} (std {std:.3g}, dim {dim})"
    return None


def is_stalled(
    losses: Sequence[float],
    window: int = STALL_WINDOW,
    rel_tol: float = STALL_REL_TOL,
    min_progress: float = STALL_MIN_PROGRESS,
    diverge: float = DIVERGE_REL,
) -> str | None:
    """The reason the monitor-row ``losses`` (the whole run so far) show a stall, else None.

    With ``h = window // 2`` and medians ``s`` of the first ``h`` finite losses, ``a`` of the older
    and ``b`` of the newer half of the last ``window``: diverging when ``b > min(s, a) + diverge *
    |min(s, a)|``; stalled when ``a - b < rel_tol * |a|`` (no recent progress) and ``s - b <
    min_progress * |s|`` (nor since the start, so a run that converged is not flagged).
    Fewer than ``window`` finite values: None.
    """
    finite = [x for x in losses if math.isfinite(x)]
    if window < 2 or len(finite) < window:
        return None
    half = window // 2
    start = statistics.median(finite[:half])
    older, newer = statistics.median(finite[-window:-half]), statistics.median(finite[-half:])
    best = min(start, older)
    if newer > best + diverge * abs(best):
        return f"median loss rose from {best:.4g} to {newer:.4g} (diverging)"
    if older - newer < rel_tol * abs(older) and start - newer < min_progress * abs(start):
        return f"median loss {start:.4g} at the start, {older:.4g} -> {newer:.4g} over the last {window} monitor rows"
    return None


class AlarmTracker:
    """Tracks both alarms across monitor rows and warns once per activation.

    Args:
        window: monitor rows of the stall rule.
        stream: where warnings go (default ``sys.stderr``, looked up at each warning).
        advice: extra, domain-specific advice per alarm kind, appended to the generic one.
    """

    def __init__(
        self,
        window: int = STALL_WINDOW,
        stream: IO[str] | None = None,
        advice: Mapping[str, str] | None = None,
    ) -> None:
        self.losses: list[float] = []  # one float per monitor row
        self.window, self.stream, self.advice = window, stream, dict(advice or {})
        self.active: dict[str, bool] = {"collapse": False, "stalled": False}

    def update(self, step: int, metrics: Mapping[str, float], dim: int, loss: float | None) -> dict[str, int]:
        """Judge one monitor row; returns ``{"alarm/collapse": 0|1, "alarm/stalled": 0|1}``."""
        if loss is not None:
            self.losses.append(float(loss))
        reasons = {
            "collapse": is_collapsed(
                metrics.get("monitor/rankme", math.nan), metrics.get("monitor/std", math.nan), dim
            ),
            "stalled": is_stalled(list(self.losses), self.window),
        }
        for kind, reason in reasons.items():
            if reason is not None and not self.active[kind]:
                self._warn(step, kind, reason)
            self.active[kind] = reason is not None
        return {f"alarm/{kind}": int(on) for kind, on in self.active.items()}

    def _warn(self, step: int, kind: str, reason: str) -> None:
        advice = ADVICE[kind] + (f"; {self.advice[kind]}" if kind in self.advice else "")
        stream = self.stream if self.stream is not None else sys.stderr
        print(f"warning: {kind} alarm at step {step}: {reason}; {advice}", file=stream, flush=True)


def _last_monitor_row(path: Path) -> dict[str, object] | None:
    if not path.is_file():
        return None
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and "monitor/rankme" in row:
            last = row
    return last


def collapse_note(run_dir: Path) -> str | None:
    """``"collapsed at step N (RankMe X)"`` when the last monitor row of ``run_dir/metrics.jsonl``
    has an active collapse alarm, else None (no file, no monitor rows, or no alarm)."""
    row = _last_monitor_row(Path(run_dir) / "metrics.jsonl")
    if row is None or row.get("alarm/collapse") != 1:
        return None
    rankme = row.get("monitor/rankme")
    value = f"{rankme:.3g}" if isinstance(rankme, int | float) else str(rankme)
    return f"representation collapsed at step {row.get('step')} (RankMe {value}); see metrics.jsonl"
