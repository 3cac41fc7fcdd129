"""The engine calls ``set_step`` on StepAware submodules, so step-dependent weights resume exactly."""

from __future__ import annotations

import math
from pathlib import Path

import torch
from _engine_toy import Regress, config, recipe
from torch import nn

from ssl_core.engine import train
from ssl_core.interfaces import Batch, StepAware, StepOutput
from ssl_core.nn import GradientReversal
from ssl_core.schedules import dann_ramp


class Adversarial(Regress):
    """Regress plus a discriminator behind a ramped gradient-reversal layer; records each step's weight."""

    def __init__(self) -> None:
        super().__init__()
        self.grl = GradientReversal(0.5, ramp=True)
        self.disc = nn.Linear(8, 2)
        self.seen: list[float] = []

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        out = super().forward(batch, generator)
        self.seen.append(self.grl.lambd)
        logits = self.disc(self.grl(self.net(batch["x"])))
        adv = nn.functional.cross_entropy(logits, batch["y"] % 2)
        return StepOutput(out.loss + adv, out.metrics, out.embeddings)


def test_dann_ramp_closed_form() -> None:
    assert dann_ramp(0, 10) == 0.0
    assert math.isclose(dann_ramp(5, 10), 2 / (1 + math.exp(-5.0)) - 1)
    assert math.isclose(dann_ramp(99, 10), 2 / (1 + math.exp(-10.0)) - 1)  # clamped at p = 1
    assert all(dann_ramp(s, 20) < dann_ramp(s + 1, 20) for s in range(20))


def test_gradient_reversal_ramp_follows_set_step() -> None:
    layer = GradientReversal(2.0, ramp=True)
    assert isinstance(layer, StepAware) and layer.lambd == 0.0
    layer.set_step(3, 12)
    assert math.isclose(layer.lambd, 2.0 * dann_ramp(3, 12))
    x = torch.ones(3, requires_grad=True)
    layer(x).sum().backward()
    torch.testing.assert_close(x.grad, torch.full((3,), -layer.lambd))
    fixed = GradientReversal(2.0)
    fixed.set_step(3, 12)
    assert fixed.lambd == 2.0


def test_engine_sets_the_step_before_each_forward(tmp_path: Path) -> None:
    res = train(config(steps=7, ckpt_every=100), tmp_path, recipe=recipe(Adversarial, label_key="y"))
    assert res.module.seen == [0.5 * dann_ramp(s, 7) for s in range(7)]


def test_resume_restores_the_step_dependent_weight(tmp_path: Path) -> None:
    cfg = config(steps=8, ckpt_every=100)
    full = train(cfg, tmp_path / "full", recipe=recipe(Adversarial, label_key="y"))
    train(cfg, tmp_path / "part", recipe=recipe(Adversarial, label_key="y"), stop_at=3)
    resumed = train(cfg, tmp_path / "part", recipe=recipe(Adversarial, label_key="y"), resume=True)
    assert resumed.module.seen == full.module.seen[3:]
    for k, v in full.module.state_dict().items():
        assert torch.equal(v, resumed.module.state_dict()[k]), k
