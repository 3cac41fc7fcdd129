"""Schedules: closed forms for every phase, continuity at boundaries, purity in the step."""

from __future__ import annotations

import math

import pytest

from ssl_core.errors import ConfigError
from ssl_core.schedules import (
    build_schedule,
    constant,
    ema_momentum,
    infinite,
    multistep,
    warmup_cosine,
)
from ssl_core.schema import EMAConfig, ScheduleConfig


def test_constant_with_and_without_warmup() -> None:
    assert [constant(s) for s in range(3)] == [1.0, 1.0, 1.0]
    assert [constant(s, warmup_steps=4) for s in range(6)] == [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]


def test_warmup_cosine_closed_form() -> None:
    total, warm, final = 110, 10, 0.1
    for s in range(0, 130):
        got = warmup_cosine(s, total, warm, final)
        if s < warm:
            want = s / warm
        else:
            p = min((s - warm) / (total - warm), 1.0)
            want = final + (1 - final) * 0.5 * (1 + math.cos(math.pi * p))
        assert got == pytest.approx(want, abs=1e-12), s
    assert warmup_cosine(warm, total, warm, final) == pytest.approx(1.0)
    assert warmup_cosine(total, total, warm, final) == pytest.approx(final)
    assert warmup_cosine(10_000, total, warm, final) == pytest.approx(final)


def test_multistep() -> None:
    vals = [multistep(s, [3, 6], gamma=0.5) for s in range(8)]
    assert vals == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert multistep(1, [3], 0.5, warmup_steps=2) == 0.5


W, C, CR = 10, 20, 0.3


def _inf(s: int, **kw: object) -> float:
    return infinite(s, warmup_steps=W, cooldown_steps=C, constant_ratio=CR, **kw)  # type: ignore[arg-type]


def test_infinite_phases_closed_form() -> None:
    for s in range(W):
        assert _inf(s) == pytest.approx(s / W)
    for s in range(W, W + C):
        want = CR + (1 - CR) * 0.5 * (1 + math.cos(math.pi * (s - W) / C))
        assert _inf(s) == pytest.approx(want)
    for s in (W + C, W + C + 1, 10**6):
        assert _inf(s) == pytest.approx(CR)


def test_infinite_anneal_linear_and_exponential() -> None:
    start, n, fin = 100, 10, 0.01
    for s in range(start, start + n + 5):
        t = min((s - start) / n, 1.0)
        assert _inf(s, anneal_start=start, anneal_steps=n, final_ratio=fin) == pytest.approx(
            CR + (fin - CR) * t
        )
        got = _inf(s, anneal_start=start, anneal_steps=n, anneal_kind="exponential", final_ratio=fin)
        assert got == pytest.approx(CR * (fin / CR) ** t)
    # anneal does not change anything before it starts
    assert all(_inf(s, anneal_start=start, anneal_steps=n) == _inf(s) for s in range(start))
    # an anneal branching during the cooldown starts from the cooldown value (continuity)
    v = _inf(15)
    assert _inf(15, anneal_start=15, anneal_steps=5, final_ratio=0.0) == pytest.approx(v)


@pytest.mark.parametrize("kind", ["linear", "exponential"])
def test_infinite_continuous_at_phase_boundaries(kind: str) -> None:
    start, n = 60, 40
    f = [_inf(s, anneal_start=start, anneal_steps=n, anneal_kind=kind, final_ratio=0.02) for s in range(150)]
    # max jump between consecutive steps is bounded by the steepest phase (warmup: 1/W)
    jumps = [abs(b - a) for a, b in zip(f, f[1:])]
    assert max(jumps) <= 1.0 / W + 1e-12
    for b in (W, W + C, start, start + n):
        assert abs(f[b] - f[b - 1]) <= 1.0 / W + 1e-12


def test_infinite_extendable_and_depends_only_on_step() -> None:
    cfg = ScheduleConfig(name="infinite", warmup_steps=W, cooldown_steps=C, constant_ratio=CR)
    short, long = build_schedule(cfg, 100), build_schedule(cfg, 10_000)
    assert [short(s) for s in range(200)] == [long(s) for s in range(200)]
    # evaluating out of order gives the same numbers: no hidden state
    fwd = [short(s) for s in range(50)]
    bwd = [short(s) for s in reversed(range(50))][::-1]
    assert fwd == bwd


def test_infinite_rejects_bad_anneal() -> None:
    with pytest.raises(ValueError, match="anneal_kind"):
        infinite(1, anneal_kind="cosine")
    with pytest.raises(ValueError, match="final_ratio > 0"):
        infinite(5, anneal_start=0, anneal_steps=3, anneal_kind="exponential", final_ratio=0.0)


def test_build_schedule_matches_functions() -> None:
    T = 50
    cases = [
        (ScheduleConfig(name="constant", warmup_steps=3), lambda s: constant(s, 3)),
        (
            ScheduleConfig(name="warmup_cosine", warmup_steps=5, final_ratio=0.1),
            lambda s: warmup_cosine(s, T, 5, 0.1),
        ),
        (
            ScheduleConfig(name="multistep", milestones=[10, 20], gamma=0.3),
            lambda s: multistep(s, [10, 20], 0.3),
        ),
        (
            ScheduleConfig(
                name="infinite", warmup_steps=2, cooldown_steps=5, anneal_start=30, anneal_steps=4
            ),
            lambda s: infinite(s, 2, 5, 0.25, 30, 4, "linear", 0.0),
        ),
    ]
    for cfg, ref in cases:
        fn = build_schedule(cfg, T)
        assert [fn(s) for s in range(60)] == [ref(s) for s in range(60)], cfg.name


@pytest.mark.parametrize(
    ("cfg", "key"),
    [
        (ScheduleConfig(name="poly"), "optim.schedule.name"),
        (ScheduleConfig(warmup_steps=-1), "optim.schedule.warmup_steps"),
        (ScheduleConfig(name="multistep", milestones=[5, 3]), "optim.schedule.milestones"),
        (
            ScheduleConfig(name="infinite", anneal_start=3, anneal_kind="exponential", final_ratio=0.0),
            "optim.schedule.final_ratio",
        ),
    ],
)
def test_build_schedule_bad_config_names_key(cfg: ScheduleConfig, key: str) -> None:
    with pytest.raises(ConfigError) as info:
        build_schedule(cfg, 10)
    assert info.value.key == key


def test_ema_momentum_schedules() -> None:
    T = 100
    cos = EMAConfig(base=0.99, final=1.0, schedule="cosine")
    for s in (0, 25, 50, 100, 150):
        p = min(s / T, 1.0)
        assert ema_momentum(s, T, cos) == pytest.approx(1.0 - 0.01 * (math.cos(math.pi * p) + 1) / 2)
    lin = EMAConfig(base=0.9, final=0.99, schedule="linear")
    assert ema_momentum(50, T, lin) == pytest.approx(0.945)
    assert ema_momentum(70, T, EMAConfig(base=0.9, schedule="constant")) == 0.9
    with pytest.raises(ConfigError):
        ema_momentum(1, T, EMAConfig(schedule="step"))  # type: ignore[arg-type]


def test_multistep_milestones_as_fractions_follow_the_run_length():
    from ssl_core.schedules import build_schedule, milestone_steps

    assert milestone_steps([0.7, 0.9], 174) == (121, 156)
    assert milestone_steps([121, 156], 1000) == (121, 156)
    for total in (10, 174, 1000):
        fn = build_schedule(ScheduleConfig(name="multistep", milestones=[0.5, 0.8], gamma=0.1), total)
        first, second = int(0.5 * total), int(0.8 * total)
        assert fn(first - 1) == 1.0 and fn(first) == pytest.approx(0.1) and fn(second) == pytest.approx(0.01)


@pytest.mark.parametrize(
    "milestones, reason",
    [([0.5, 20], "all as fractions"), ([10.5, 20], "whole numbers"), ([20, 10], "strictly increasing")],
)
def test_milestones_are_checked(milestones, reason):
    from ssl_core.schedules import build_schedule

    with pytest.raises(ConfigError, match=reason):
        build_schedule(ScheduleConfig(name="multistep", milestones=milestones), 100)
