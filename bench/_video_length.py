"""The answer-length heuristic of the TVQA+ bench (issue #17): "pick the longest option", label-free.

"Longest" counts the option's **tokens** after the bench's tokenizer (the non-padding ids of
``tensors["a"]``, so at most ``max_a_len`` = 12 tokens: longer options are truncated); every option with
the most tokens of its question is a longest option (ties all true, 2.2 per question on val). The
heuristic picks one of them uniformly, so a tie of ``k`` options containing the answer scores ``1/k``
(its expected accuracy; deterministic, no draw). Shared by ``bench/video_qa.py`` (the ``longest`` arm
and the subset of test questions whose answer is not a longest option) and ``bench/_video_qp_diag.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from ssl_plugin_video.baselines import top_expected_correct
from ssl_plugin_video.data import ClipQADataset


def longest_options(data: ClipQADataset) -> torch.Tensor:
    """``(N, O)`` bool: the options with the most tokens of their question (ties all true)."""
    n_tok = (data.tensors["a"] != 0).sum(-1)
    return n_tok == n_tok.amax(1, keepdim=True)


def longest_correct(data: ClipQADataset) -> np.ndarray:
    """Per-question score of "pick the longest option": ``1/k`` when the answer is among the ``k`` longest."""
    return top_expected_correct((data.tensors["a"] != 0).sum(-1), data.tensors["answer"])


def longest_answer_accuracy(data: ClipQADataset) -> float:
    """Accuracy of the label-free heuristic "pick the longest option" (ties split evenly)."""
    return float(longest_correct(data).mean())


def answer_is_longest(data: ClipQADataset) -> np.ndarray:
    """``(N,)`` bool: the question's answer is one of its longest options."""
    longest = longest_options(data)
    return longest[torch.arange(len(data)), data.tensors["answer"]].numpy()


def longest_rows(data: ClipQADataset, fraction: float, seeds: list[int]) -> list[dict[str, Any]]:
    """Bench run rows of the ``longest`` arm on ``data`` (the test split): the same on every seed."""
    correct = longest_correct(data).tolist()
    mask = answer_is_longest(data).tolist()
    return [
        {
            "arm": "longest",
            "fraction": fraction,
            "seed": s,
            "correct": correct,
            "iou": [],
            "answer_longest": mask,
        }
        for s in seeds
    ]


def not_longest_runs(runs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int, int]:
    """``runs`` restricted to the test questions whose answer is not a longest option.

    The mask comes from the ``longest`` rows (:func:`longest_rows`; the test split is the same at every
    label fraction, checked); returns the restricted runs, the subset size and the test size.
    """
    masks = {tuple(r["answer_longest"]) for r in runs if r["arm"] == "longest"}
    if len(masks) != 1:
        raise ValueError(f"expected one test split across the longest rows, got {len(masks)}")
    keep = ~np.asarray(masks.pop(), dtype=bool)
    out = []
    for r in runs:
        if len(r["correct"]) != len(keep):
            raise ValueError(
                f"run {r['arm']} {r['fraction']} {r['seed']}: {len(r['correct'])} != {len(keep)}"
            )
        iou = np.asarray(r["iou"])[keep].tolist() if len(r["iou"]) == len(keep) else []
        out.append({**r, "correct": np.asarray(r["correct"])[keep].tolist(), "iou": iou})
    return out, int(keep.sum()), len(keep)
