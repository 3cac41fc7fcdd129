"""The losses against float64 naive loops (Kim et al., AAAI 2021, eq. for L_con; question prediction; span)."""

from __future__ import annotations

import math

import torch
from ssl_plugin_video.objectives import MaskedAnswerContrastive, QuestionPredictionLoss, SpanLocalisationLoss


def _cos(x: torch.Tensor, y: torch.Tensor) -> float:
    return float((x @ y) / (x.norm() * y.norm()))


def test_masked_answer_contrastive_matches_the_formula():
    gen = torch.Generator().manual_seed(0)
    b, o, h, tau = 4, 5, 7, 0.07
    zm, zo, ans = (
        torch.randn(b, h, generator=gen),
        torch.randn(b, o, h, generator=gen),
        torch.tensor([0, 3, 4, 1]),
    )
    got = MaskedAnswerContrastive(tau)(zm, zo, ans).loss
    total = 0.0
    for i in range(b):
        x = zm[i].double()
        num = math.exp(_cos(x, zo[i, ans[i]].double()) / tau)
        den = sum(math.exp(_cos(x, zo[i, k].double()) / tau) for k in range(o))
        total += -math.log(num / den)
    assert abs(float(got) - total / b) < 1e-5


def test_masked_answer_contrastive_is_minimised_by_the_positive():
    zo = torch.eye(5)[None].repeat(2, 1, 1)
    good = MaskedAnswerContrastive(0.1)(zo[:, 2], zo, torch.tensor([2, 2])).loss
    bad = MaskedAnswerContrastive(0.1)(zo[:, 0], zo, torch.tensor([2, 2])).loss
    assert good < 0.01 < 5.0 < bad


def test_question_prediction_is_cross_entropy_with_the_true_question_first():
    gen = torch.Generator().manual_seed(1)
    scores = torch.randn(3, 5, generator=gen)
    got = QuestionPredictionLoss()(scores).loss
    s = scores.double()
    ref = sum(-(s[i, 0] - torch.logsumexp(s[i], 0)) for i in range(3)) / 3
    assert abs(float(got) - float(ref)) < 1e-6


def test_span_loss_skips_rows_without_a_span():
    gen = torch.Generator().manual_seed(2)
    logits = torch.randn(3, 6, 2, generator=gen)
    span = torch.tensor([[1, 3], [-1, -1], [0, 5]])
    got = SpanLocalisationLoss()(logits, span).loss
    lg = logits.double()
    ref = 0.0
    for i in (0, 2):
        for j in (0, 1):
            ref += -(lg[i, span[i, j], j] - torch.logsumexp(lg[i, :, j], 0)) / 2
    assert abs(float(got) - float(ref) / 2) < 1e-6
    none = SpanLocalisationLoss()(logits, torch.full((3, 2), -1)).loss
    assert float(none) == 0.0
