"""Do TVQA+ boxes give the answer away? Label-free checks of the visual concept stream (issue #17).

TVQA+ draws boxes for the visual concepts named in a question and its correct answer. This script
measures, on the real validation file (all 3,017 questions, and the bench's test split by clip):

* how often a question's **own** box labels name a word of its correct answer that the question lacks,
  against the same rate for its wrong options;
* the accuracy of "pick the option with the most words among the labels that the question lacks"
  (ties split evenly, expected accuracy) with three contexts: the question's own boxes, the boxes of
  every question of its clip (what the plugin's context held before ``own_concepts`` existed), and the
  boxes of the **other** questions of its clip only (the plugin's default now);
* with 95% intervals (normal, per question). Words: lower-cased letters, a short stop list removed.

    SSL_DATA_DIR=/work/shared/data python bench/_video_concepts.py
"""

from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from ssl_plugin_video.data import split_by_clip
from ssl_plugin_video.readers import QARecord, read_tvqa

STOP = frozenset((
    "the", "a", "an", "is", "was", "were", "to", "of", "and", "in", "on", "at", "he", "she", "it", "his",
    "her", "they", "their", "what", "why", "who", "where", "when", "how", "did", "does", "do", "with",
    "for", "that", "this", "by", "from", "be", "been", "because",
))  # fmt: skip


def words(text: str) -> set[str]:
    """Lower-cased words of ``text``."""
    return set(re.findall(r"[a-z']+", text.lower()))


def labels_of(rec: QARecord) -> Counter[str]:
    """Words of the labels in the record's own boxes (once per record)."""
    return Counter({w for labels in rec.concepts.values() for label in labels for w in words(label)})


def pick(rec: QARecord, labels: set[str]) -> float:
    """Expected correctness of the most-overlap option (ties split)."""
    q = words(rec.question)
    score = np.array([len((words(o) - STOP - q) & labels) for o in rec.options], float)
    best = np.flatnonzero(score == score.max())
    return float(rec.answer in best) / len(best)


def interval(x: np.ndarray) -> str:
    """Mean [95% normal interval] (n)."""
    half = 1.96 * x.std(ddof=1) / np.sqrt(len(x))
    return f"{x.mean():.3f} [{x.mean() - half:.3f}, {x.mean() + half:.3f}] (n={len(x)})"


def report(records: list[QARecord], title: str) -> None:
    """Print the hit rates and the three overlap accuracies for ``records`` (clips pooled within them)."""
    per_clip: dict[str, Counter[str]] = defaultdict(Counter)
    for r in records:
        per_clip[r.clip] += labels_of(r)
    own_hit, wrong_hit, acc = [], [], defaultdict(list)
    for r in records:
        own = set(labels_of(r))
        lack = [words(o) - STOP - words(r.question) for o in r.options]
        own_hit.append(bool(lack[r.answer] & own))  # type: ignore[index]
        wrong_hit.append(np.mean([bool(w & own) for k, w in enumerate(lack) if k != r.answer]))
        acc["own boxes"].append(pick(r, own))
        acc["every box of the clip"].append(pick(r, set(per_clip[r.clip])))
        acc["other questions' boxes"].append(pick(r, set(+(per_clip[r.clip] - labels_of(r)))))
    print(f"## {title}")
    print(
        f"own labels name a word of the correct answer the question lacks: {interval(np.array(own_hit, float))}"
    )
    print(
        f"                                      ... of a wrong option (mean): {interval(np.array(wrong_hit))}"
    )
    for name, v in acc.items():
        print(f"label-overlap pick, labels of {name:24s}: {interval(np.array(v))}")


def main() -> None:
    """Both reports: every question, and the bench's test split (by clip, seed 0)."""
    path = Path(os.environ["SSL_DATA_DIR"]) / "video" / "tvqa_plus" / "tvqa_plus_val.json"
    records = [r for r in read_tvqa(path) if r.answer is not None]
    report(records, f"all {len(records)} questions")
    report(split_by_clip(records, 0.15, 0.25, 0)["test"], "the bench's test split")


if __name__ == "__main__":
    main()
