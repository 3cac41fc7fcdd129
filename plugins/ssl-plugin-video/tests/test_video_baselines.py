"""The simple baselines: label overlap against a naive loop; the bag-of-words logit finds a planted cue."""

from __future__ import annotations

import numpy as np
import torch
from ssl_plugin_video.baselines import bow_correct, overlap_correct, overlap_scores


def _naive_overlap(q: list[int], a: list[int], labels: list[int]) -> int:
    return sum(1 for t in a if t != 0 and t in labels and t not in q)


def test_label_overlap_counts_option_tokens_in_the_labels_but_not_the_question():
    g = torch.Generator().manual_seed(0)
    q, a, c = (torch.randint(0, 12, s, generator=g) for s in ((40, 6), (40, 5, 4), (40, 7)))
    got = overlap_scores(q, a, c)
    for i in range(40):
        labels = [int(t) for t in c[i] if t != 0]
        for k in range(5):
            assert got[i, k] == _naive_overlap(q[i].tolist(), a[i, k].tolist(), labels)


def test_label_overlap_accuracy_splits_ties_and_ignores_padding():
    q = torch.tensor([[9, 0], [9, 0]])
    a = torch.tensor([[[5, 0], [6, 0], [7, 0]], [[5, 0], [6, 0], [7, 0]]])
    labels = torch.tensor([[6, 0, 0], [0, 0, 0]])  # question 2: no labels, padding must not match padding
    hit = overlap_correct({"q": q, "a": a, "concept_text": labels, "answer": torch.tensor([1, 2])})
    assert np.allclose(hit, [1.0, 1 / 3])


def test_bag_of_words_learns_a_word_that_marks_the_answer():
    g = torch.Generator().manual_seed(1)
    n, o = 200, 5
    a = torch.randint(10, 60, (n, o, 6), generator=g)
    answer = torch.randint(0, o, (n,), generator=g)
    a[torch.arange(n), answer, 0] = 3  # token 3 starts every correct option, no wrong one
    q = torch.randint(10, 60, (n, 8), generator=g)
    lab = torch.ones(n, dtype=torch.bool)
    data = {"q": q, "a": a, "answer": answer, "labelled": lab}
    train = {k: v[:150] for k, v in data.items()}
    test = {k: v[150:] for k, v in data.items()}
    assert bow_correct(train, test).mean() > 0.9
