"""The clip context of Kim et al. (AAAI 2021) on a time grid: visual concepts, frame features or frames.

A clip is cut into bins of ``bin_seconds`` (at most ``max_frames``). Each bin holds up to
``max_concepts`` concept ids (the labels of the people and objects visible in its frames: TVQA+
``bbox[frame][i].label``, pooled over the questions of the clip, most frequent first: by default, for
each question, over the *other* questions only, :func:`others_concepts`), and optionally
a frame-feature vector (mean of the feature rows in the bin) or one small RGB frame decoded from
the video. The clip's labels are also kept as text (:func:`label_text`, first seen first), the
"detected object labels" Kim et al. give their BERT beside question and answer. :func:`build_clips`
returns the per-clip arrays; spans ``ts`` become bin indices.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ssl_core.errors import DataError
from ssl_plugin_video.readers import TVQA_FPS, QARecord
from ssl_plugin_video.video_io import (
    FEATURE_SUFFIXES,
    VIDEO_SUFFIXES,
    bin_features,
    find_clip_file,
    read_features,
    read_video,
)

PAD = 0  # concept id 0 is padding, 1 is an unseen concept
UNSEEN = 1


@dataclass
class ContextSpec:
    """How clip contexts are built (the ``recipe_args`` of the same names)."""

    bin_seconds: float = 2.0
    max_frames: int = 48
    max_concepts: int = 6
    features: str | None = None
    features_fps: float = 3.0
    videos: str | None = None
    frame_size: int = 32


@dataclass
class ClipTable:
    """Per-clip arrays, clips in ``names`` order: ``concepts (C, T, K)``, ``frame_mask (C, T)``, the
    label ``texts``, and optionally ``features (C, T, F)`` or ``pixels (C, T, 3, S, S)``."""

    names: list[str]
    concepts: np.ndarray
    frame_mask: np.ndarray
    texts: list[str] = field(default_factory=list)
    features: np.ndarray | None = None
    pixels: np.ndarray | None = None


def fit_concept_vocab(records: Sequence[QARecord]) -> list[str]:
    """Concept labels of the training records, most frequent first (ids start at 2)."""
    counts = Counter(label for r in records for labels in r.concepts.values() for label in labels)
    return [label for label, _ in counts.most_common()]


def label_text(recs: Sequence[QARecord]) -> str:
    """The clip's concept labels as one text: each label once (case-insensitive), in order of the first
    frame that shows it (ties in annotation order), over all of the clip's questions."""
    first: dict[str, tuple[int, str]] = {}
    for rec in recs:
        for frame, labels in sorted(rec.concepts.items()):
            for label in labels:
                key = label.lower()
                if key not in first or frame < first[key][0]:
                    first[key] = (frame, label)
    return " ".join(label for _, label in sorted(first.values(), key=lambda fl: fl[0]))


def others_concepts(
    records: Sequence[QARecord], vocab: Sequence[str], spec: ContextSpec
) -> tuple[np.ndarray, list[str]]:
    """Per question, the concept grid ``(N, T, K)`` and label text of its clip **without its own boxes**:
    pooled over the other questions of the clip only.

    TVQA+ boxes are drawn for the nouns of a question and its correct answer (on the real validation
    file, a question's own labels name a word of its correct answer that the question lacks for 44% of
    the questions, of a wrong option for 3%: ``bench/_video_concepts.py``), so a context holding them
    gives the answer away; the other questions' boxes still say what is visible in the clip.
    """
    ids = {label: i + 2 for i, label in enumerate(vocab)}
    by_clip: dict[str, list[int]] = {}
    for k, rec in enumerate(records):
        by_clip.setdefault(rec.clip, []).append(k)
    grids = np.zeros((len(records), spec.max_frames, spec.max_concepts), np.int64)
    texts = []
    for k, rec in enumerate(records):
        others = [records[j] for j in by_clip[rec.clip] if j != k]
        grids[k] = _concept_grid(others, ids, spec)
        texts.append(label_text(others))
    return grids, texts


def _clip_seconds(recs: Sequence[QARecord]) -> float:
    ends = [r.ts[1] for r in recs if r.ts is not None]
    frames = [f / TVQA_FPS for r in recs for f in r.concepts]
    return max([*ends, *frames, 0.0])


def _concept_grid(recs: Sequence[QARecord], vocab: dict[str, int], spec: ContextSpec) -> np.ndarray:
    per_bin: dict[int, Counter[str]] = {}
    for rec in recs:
        for frame, labels in rec.concepts.items():
            per_bin.setdefault(int(frame / TVQA_FPS / spec.bin_seconds), Counter()).update(labels)
    grid = np.zeros((spec.max_frames, spec.max_concepts), dtype=np.int64)
    for b, counts in per_bin.items():
        if b < spec.max_frames:
            ids = [vocab.get(label, UNSEEN) for label, _ in counts.most_common(spec.max_concepts)]
            grid[b, : len(ids)] = ids
    return grid


def build_clips(records: Sequence[QARecord], vocab: Sequence[str], spec: ContextSpec) -> ClipTable:
    """The context of every clip the records mention (see the module docstring).

    Raises:
        DataError: a missing / unreadable features or video file, a features file or video shorter
            than the clip's annotated spans, a span that starts beyond the clip.
    """
    ids = {label: i + 2 for i, label in enumerate(vocab)}
    by_clip: dict[str, list[QARecord]] = {}
    for rec in records:
        by_clip.setdefault(rec.clip, []).append(rec)
    names = list(by_clip)
    n, t = len(names), spec.max_frames
    table = ClipTable(names, np.zeros((n, t, spec.max_concepts), np.int64), np.zeros((n, t), bool))
    feats, pixels = [], []
    for c, name in enumerate(names):
        recs = by_clip[name]
        table.concepts[c] = _concept_grid(recs, ids, spec)
        table.texts.append(label_text(recs))
        seconds = _clip_seconds(recs)
        if spec.features:
            path = find_clip_file(Path(spec.features), name, FEATURE_SUFFIXES)
            arr = read_features(path)
            _check_length(
                path,
                recs,
                len(arr) / spec.features_fps,
                f"{len(arr)} feature rows at {spec.features_fps} fps",
            )
            seconds = len(arr) / spec.features_fps
            feats.append(bin_features(arr, spec.features_fps, spec.bin_seconds, t))
        if spec.videos:
            path = find_clip_file(Path(spec.videos), name, VIDEO_SUFFIXES)
            frames, seconds = read_video(path, spec.bin_seconds, t, spec.frame_size)
            _check_length(path, recs, seconds, "the video")
            grid = np.zeros((t, 3, spec.frame_size, spec.frame_size), np.uint8)
            grid[: len(frames)] = frames[:t]
            pixels.append(grid)
        n_bins = min(t, max(1, math.ceil(seconds / spec.bin_seconds)))
        table.frame_mask[c, :n_bins] = True
    if feats:
        table.features = np.stack(feats)
    if pixels:
        table.pixels = np.stack(pixels)
    return table


def _check_length(path: Path, recs: Sequence[QARecord], seconds: float, what: str) -> None:
    for rec in recs:
        if rec.ts is not None and rec.ts[1] > seconds + 1.0:  # one second of slack for rounding
            raise DataError(
                path,
                f"{rec.where}: ts",
                f"span ends at {rec.ts[1]} s but {what} last {seconds:.2f} s (length mismatch)",
            )


def span_bins(rec: QARecord, spec: ContextSpec) -> tuple[int, int]:
    """``ts`` as ``(start_bin, end_bin)`` (inclusive, clipped to the grid); ``(-1, -1)`` without ``ts``."""
    if rec.ts is None:
        return -1, -1
    last = spec.max_frames - 1
    start = min(int(rec.ts[0] / spec.bin_seconds), last)
    end = min(max(int(math.ceil(rec.ts[1] / spec.bin_seconds)) - 1, start), last)
    return start, end
