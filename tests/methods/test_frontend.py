"""The optional front-end slot of the generic methods: order, no_grad, trainable front-ends, checkpoints."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.engine.checkpoint import list_checkpoints, load_checkpoint
from ssl_core.interfaces import POOLED, TOKENS, Encoder, Frontend, Recipe, ViewGenerator
from ssl_core.methods import JEPAMethod, MaskedReconstructionMethod, TwoViewMethod, run_frontend
from ssl_core.objectives import JEPAPredictor, MaskedReconstructionLoss, VICRegLoss
from ssl_core.objectives.jepa_predictor import gather_tokens
from ssl_core.testing.configs import tiny_run_config
from ssl_core.views import ContextTargetMasks


class Standardise(nn.Module):
    """``raw`` ``(B, T, F)`` -> ``x = (raw - mean) / std`` with fitted buffers (optionally a trainable scale)."""

    def __init__(self, f: int = 3, trainable: bool = False) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(f))
        self.register_buffer("std", torch.ones(f))
        self.scale = nn.Parameter(torch.ones(f)) if trainable else None
        self.grad_modes: list[bool] = []

    def forward(self, batch: dict) -> dict:
        self.grad_modes.append(torch.is_grad_enabled())
        x = (batch["raw"] - self.mean) / self.std
        return {**batch, "x": x if self.scale is None else x * self.scale}


def _fitted(f: int = 3, trainable: bool = False) -> Standardise:
    front = Standardise(f, trainable)
    front.mean.copy_(torch.linspace(-1.0, 2.0, f))
    front.std.copy_(torch.linspace(0.5, 3.0, f))
    return front


class HalfMask(ViewGenerator):
    view_names = ("masked",)

    def __call__(self, batch, generator=None):  # noqa: ANN001, ANN204
        x = batch["x"]
        mask = torch.zeros(x.shape[:2], dtype=torch.bool)
        mask[:, : x.shape[1] // 2] = True
        return {"masked": {**batch, "x": x.masked_fill(mask.unsqueeze(-1), 0.0), "mask": mask}}


class TokenEncoder(Encoder):
    def __init__(self, f: int = 3, h: int = 8) -> None:
        super().__init__()
        self.output_dim = h
        self.lin = nn.Linear(f, h)

    def forward(self, batch):  # noqa: ANN001, ANN201
        h = self.lin(batch["x"])
        tokens = torch.tanh(h + h.mean(1, keepdim=True))  # mixes positions: unmasked ones inform masked
        return {TOKENS: tokens, POOLED: tokens.mean(1)}


def _reconstruction(frontend: nn.Module | None) -> MaskedReconstructionMethod:
    torch.manual_seed(0)
    return MaskedReconstructionMethod(
        HalfMask(), TokenEncoder(), nn.Linear(8, 3), MaskedReconstructionLoss("l1"), frontend=frontend
    )


def test_masked_reconstruction_runs_the_frontend_first_without_grad() -> None:
    front = _fitted()
    assert isinstance(front, Frontend)
    with_front, plain = _reconstruction(front), _reconstruction(None)
    raw = torch.randn(4, 6, 3)
    x = (raw - front.mean) / front.std
    out, ref = with_front({"raw": raw}), plain({"x": x})
    assert torch.equal(out.loss, ref.loss)  # the target is the processed x, not raw
    assert front.grad_modes == [False]
    out.loss.backward()
    ref.loss.backward()
    assert all(torch.equal(p.grad, q.grad) for p, q in zip(with_front.parameters(), plain.parameters()))
    assert torch.equal(with_front.embed({"raw": raw}), plain.embed({"x": x}))
    assert [n for n, _ in with_front.named_parameters()] == [n for n, _ in plain.named_parameters()]
    assert {"frontend.mean", "frontend.std"} <= set(with_front.state_dict())


def test_a_trainable_frontend_is_trained_with_the_module() -> None:
    front = _fitted(trainable=True)
    method = _reconstruction(front)
    method({"raw": torch.randn(4, 6, 3)}).loss.backward()
    assert front.grad_modes == [True]
    assert front.scale is not None and front.scale.grad is not None and front.scale.grad.abs().sum() > 0
    assert next(iter(dict(method.named_parameters()))) == "frontend.scale"


class NoisyViews(ViewGenerator):
    view_names = ("a", "b")

    def __call__(self, batch, generator=None):  # noqa: ANN001, ANN204
        x = batch["x"]
        return {
            k: {**batch, "x": x + 0.1 * torch.randn(x.shape, generator=generator)} for k in self.view_names
        }


class PoolEncoder(Encoder):
    def __init__(self) -> None:
        super().__init__()
        self.output_dim = 5
        self.lin = nn.Linear(3, 5)

    def forward(self, batch):  # noqa: ANN001, ANN201
        return {POOLED: self.lin(batch["x"]).mean(1)}


def test_two_view_runs_the_frontend_before_the_views() -> None:
    front, raw = _fitted(), torch.randn(8, 4, 3)
    torch.manual_seed(0)
    method = TwoViewMethod(NoisyViews(), PoolEncoder(), nn.Linear(5, 4), VICRegLoss(), frontend=front)
    torch.manual_seed(0)
    plain = TwoViewMethod(NoisyViews(), PoolEncoder(), nn.Linear(5, 4), VICRegLoss())
    x = (raw - front.mean) / front.std
    got = method({"raw": raw}, torch.Generator().manual_seed(1))
    ref = plain({"x": x}, torch.Generator().manual_seed(1))
    assert torch.equal(got.loss, ref.loss) and front.grad_modes == [False]
    assert torch.equal(method.embed({"raw": raw}), plain.embed({"x": x}))
    assert "frontend.std" in method.state_dict()


class FeatureTokens(Encoder):
    def __init__(self, n: int = 6, h: int = 8) -> None:
        super().__init__()
        self.output_dim = h
        self.weight = nn.Parameter(torch.randn(n, h))
        self.reg = nn.Parameter(torch.randn(1, 1, h))

    def forward(self, batch):  # noqa: ANN001, ANN201
        tokens = batch["x"].unsqueeze(-1) * self.weight
        tokens = torch.cat([self.reg.expand(tokens.shape[0], 1, -1), tokens], 1)  # [REG] + one per feature
        if "context_idx" in batch:
            tokens = gather_tokens(tokens, batch["context_idx"])
        return {TOKENS: tokens, POOLED: tokens.mean(1)}


def test_jepa_runs_the_frontend_before_the_masks() -> None:
    front, raw = _fitted(6), torch.randn(5, 1, 6)

    def build(frontend: nn.Module | None) -> JEPAMethod:
        torch.manual_seed(0)
        masks = ContextTargetMasks(6, ctx_range=(0.3, 0.5), tgt_range=(0.2, 0.4), num_targets=2)
        return JEPAMethod(
            FeatureTokens(), JEPAPredictor(8, 8, 7, depth=1, num_heads=2), masks, frontend=frontend
        )

    class Squeeze(nn.Module):
        def __init__(self, inner: nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, batch: dict) -> dict:
            out = self.inner(batch)
            return {"x": out["x"][:, 0]}

    method, plain = build(Squeeze(front)), build(None)
    x = ((raw - front.mean) / front.std)[:, 0]
    got = method({"raw": raw}, torch.Generator().manual_seed(3))
    ref = plain({"x": x}, torch.Generator().manual_seed(3))
    assert torch.equal(got.loss, ref.loss)
    assert torch.equal(method.embed({"raw": raw}), plain.embed({"x": x}))
    assert "frontend.inner.mean" in method.state_dict()


def test_run_frontend_passes_through_and_refuses_a_non_batch() -> None:
    batch = {"x": torch.ones(1)}
    assert run_frontend(None, batch) is batch

    class Bad(nn.Module):
        def forward(self, batch: dict) -> torch.Tensor:
            return batch["x"]

    with pytest.raises(TypeError, match="Bad returned Tensor"):
        run_frontend(Bad(), batch)


def test_frontend_buffers_are_checkpointed_by_the_engine(tmp_path) -> None:  # noqa: ANN001
    front = _fitted()
    method = _reconstruction(front)
    data = TensorDictDataset({"raw": torch.randn(16, 6, 3, generator=torch.Generator().manual_seed(0))})
    recipe = Recipe(name="core/test-frontend", module=method, train_data=data)
    config = tiny_run_config("core/test-frontend", steps=2, batch_size=8, ckpt_every=100, monitor_every=100)
    config.optim.name, config.optim.lr = "sgd", 0.01
    train(config, tmp_path / "run", recipe=recipe)
    state = load_checkpoint(list_checkpoints(tmp_path / "run")[-1][1])["model"]
    assert torch.equal(state["frontend.mean"], front.mean) and torch.equal(state["frontend.std"], front.std)
    fresh = _reconstruction(Standardise())
    fresh.load_state_dict(state)
    assert torch.equal(fresh.frontend.std, front.std)  # type: ignore[union-attr]
