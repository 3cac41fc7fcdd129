"""EMA teacher: frozen deep copy, foreach lerp equal to a naive loop, buffers copied."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.ema import ema_update_, make_teacher


def _net() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))


def test_make_teacher_is_frozen_copy() -> None:
    student = _net()
    teacher = make_teacher(student)
    assert all(not p.requires_grad for p in teacher.parameters())
    assert all(p.requires_grad for p in student.parameters())
    for a, b in zip(student.parameters(), teacher.parameters()):
        assert torch.equal(a, b) and a.data_ptr() != b.data_ptr()


def test_ema_update_matches_naive_loop() -> None:
    student = _net()
    teacher = make_teacher(student)
    with torch.no_grad():
        for p in student.parameters():
            p.add_(torch.randn_like(p))
    student.train()(torch.randn(16, 4))  # changes BatchNorm running stats
    ref = {n: p.detach().clone().double() for n, p in teacher.named_parameters()}
    m = 0.9
    for _ in range(3):
        for n, p in student.named_parameters():
            ref[n] = m * ref[n] + (1 - m) * p.detach().double()
        ema_update_(teacher, student, m)
    for n, p in teacher.named_parameters():
        torch.testing.assert_close(p.double(), ref[n], rtol=1e-6, atol=1e-6)
    for (n, b), (_, sb) in zip(teacher.named_buffers(), student.named_buffers()):
        assert torch.equal(b, sb), n


def test_ema_momentum_edge_cases() -> None:
    student = _net()
    teacher = make_teacher(student)
    with torch.no_grad():
        for p in student.parameters():
            p.mul_(2)
    before = [p.clone() for p in teacher.parameters()]
    ema_update_(teacher, student, 1.0)
    assert all(torch.equal(a, b) for a, b in zip(before, teacher.parameters()))
    ema_update_(teacher, student, 0.0)
    assert all(torch.equal(a, b) for a, b in zip(student.parameters(), teacher.parameters()))
    with pytest.raises(ValueError, match="momentum"):
        ema_update_(teacher, student, 1.5)


def test_ema_update_rejects_mismatched_modules() -> None:
    with pytest.raises(ValueError, match="differ"):
        ema_update_(nn.Linear(2, 2), nn.Sequential(nn.Linear(2, 2)), 0.5)
