"""The contract checks accept good components and reject each kind of broken one with a clear message."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.interfaces import POOLED, TOKENS, EmbeddingObjective, Encoder, ObjectiveOutput, ViewGenerator
from ssl_core.testing.contracts import check_encoder, check_objective, check_view_generator


class GoodEncoder(Encoder):
    def __init__(self, tokens: bool = False) -> None:
        super().__init__()
        self.output_dim, self.tokens = 4, tokens
        self.lin = nn.Linear(3, 4)
        self.drop = nn.Dropout(0.5)

    def forward(self, batch):
        h = self.drop(self.lin(batch["x"]))  # dropout: deterministic only when seeded
        out = {POOLED: h.mean(1)}
        if self.tokens:
            out[TOKENS] = h
        return out


class UnusedParam(GoodEncoder):
    def __init__(self) -> None:
        super().__init__()
        self.unused = nn.Linear(2, 2)


class WrongShape(GoodEncoder):
    def forward(self, batch):
        return {POOLED: self.lin(batch["x"])}


_FREE_RUNNING = torch.Generator()  # never reseeded: successive draws differ


class Unseeded(GoodEncoder):
    def forward(self, batch):
        return {POOLED: self.lin(batch["x"]).mean(1) + torch.rand(4, generator=_FREE_RUNNING)}


class InPlace(GoodEncoder):
    def forward(self, batch):
        batch["x"].mul_(2.0)
        return super().forward(batch)


@pytest.fixture
def batch():
    return {"x": torch.randn(5, 6, 3, generator=torch.Generator().manual_seed(0))}


def test_good_encoder_passes(batch):
    out = check_encoder(GoodEncoder(tokens=True), batch)
    assert out[POOLED].shape == (5, 4) and out[TOKENS].shape == (5, 6, 4)


@pytest.mark.parametrize(
    ("encoder", "match"),
    [
        (UnusedParam(), r"no gradient reaches parameters \['unused.weight', 'unused.bias'\]"),
        (WrongShape(), r"pooled has shape \(5, 6, 4\), expected \(5, 4\)"),
        (Unseeded(), "equally seeded forward passes differ"),
        (InPlace(), "input batch was modified in place"),
    ],
)
def test_broken_encoders_fail(batch, encoder, match):
    with pytest.raises(AssertionError, match=match):
        check_encoder(encoder, batch)


def test_ignore_params(batch):
    check_encoder(UnusedParam(), batch, ignore_params=("unused",))


class GoodViews(ViewGenerator):
    view_names = ("a", "b")

    def __call__(self, batch, generator=None):
        x = batch["x"]
        return {n: {"x": x + torch.randn(x.shape, generator=generator)} for n in self.view_names}


class GlobalRNGViews(GoodViews):
    def __call__(self, batch, generator=None):
        return {n: {"x": batch["x"] + torch.randn(batch["x"].shape)} for n in self.view_names}


class MissingView(GoodViews):
    view_names = ("a", "b", "c")

    def __call__(self, batch, generator=None):
        return {n: {"x": batch["x"]} for n in ("a", "b")}


class BadBatchDim(GoodViews):
    def __call__(self, batch, generator=None):
        return {"a": {"x": batch["x"][:2]}, "b": {"x": batch["x"]}}


class Deterministic(GoodViews):
    def __call__(self, batch, generator=None):
        return {"a": {"x": batch["x"]}, "b": {"x": -batch["x"]}}


def test_good_view_generator_passes(batch):
    views = check_view_generator(GoodViews(), batch, stochastic=True)
    assert set(views) == {"a", "b"}
    check_view_generator(Deterministic(), batch, stochastic=False)


@pytest.mark.parametrize(
    ("generator", "kwargs", "match"),
    [
        (GlobalRNGViews(), {}, "used the global RNG"),
        (MissingView(), {}, r"declared view_names \['c'\] missing"),
        (BadBatchDim(), {}, r"a\['x'\] has batch dim 2 \(dim 0\), expected 5"),
        (Deterministic(), {"stochastic": True}, "seeds 0 and 1 gave identical views"),
        (GoodViews(), {"stochastic": False}, "seeds 0 and 1 gave different views"),
    ],
)
def test_broken_view_generators_fail(batch, generator, kwargs, match):
    with pytest.raises(AssertionError, match=match):
        check_view_generator(generator, batch, **kwargs)


class MSEObjective(EmbeddingObjective):
    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(1.0))

    def forward(self, *views):
        loss = self.scale * (views[0] - views[1]).pow(2).mean()
        return ObjectiveOutput(loss, {"loss/mse": loss.detach()})


class NotScalar(MSEObjective):
    def forward(self, *views):
        return ObjectiveOutput(self.scale * (views[0] - views[1]), {})


class DeadParam(MSEObjective):
    def __init__(self) -> None:
        super().__init__()
        self.dead = nn.Parameter(torch.ones(2))


class AttachedMetric(MSEObjective):
    def forward(self, *views):
        out = super().forward(*views)
        return ObjectiveOutput(out.loss, {"loss/mse": out.loss})


class NaNLoss(MSEObjective):
    def forward(self, *views):
        return ObjectiveOutput(self.scale * (views[0] - views[1]).sum() * float("nan"), {})


class DetachedInput(MSEObjective):
    def forward(self, *views):
        return ObjectiveOutput(self.scale * (views[0].detach() - views[1]).pow(2).mean(), {})


def _inputs():
    gen = torch.Generator().manual_seed(0)
    return tuple(torch.randn(4, 3, generator=gen, requires_grad=True) for _ in range(2))


def test_good_objective_passes():
    out = check_objective(MSEObjective(), _inputs())
    assert out.loss.dim() == 0 and "loss/mse" in out.metrics


@pytest.mark.parametrize(
    ("objective", "match"),
    [
        (NotScalar(), "loss must be a scalar tensor"),
        (DeadParam(), r"no gradient reaches parameters \['dead'\]"),
        (AttachedMetric(), "metric 'loss/mse' must be a detached scalar"),
        (NaNLoss(), "is not a finite float"),
        (DetachedInput(), "no gradient reaches input 0"),
    ],
)
def test_broken_objectives_fail(objective, match):
    with pytest.raises(AssertionError, match=match):
        check_objective(objective, _inputs())
