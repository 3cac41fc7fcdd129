"""Gradient accumulation: plain for per-sample losses, GradCache for batch-coupled ones, refusal otherwise."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import torch
from _engine_toy import CoupledNoCache, NoisyContrastive, Regress, config, recipe, toy_data

from ssl_core.engine import train
from ssl_core.engine.accumulation import check_accumulation, forward_backward, split_batch
from ssl_core.engine.precision import resolve_precision
from ssl_core.errors import ConfigError

CPU = torch.device("cpu")
FP32 = resolve_precision("fp32", CPU)


def _close(a: torch.nn.Module, b: torch.nn.Module, tol: float = 1e-5) -> None:
    for (name, x), y in zip(a.state_dict().items(), b.state_dict().values()):
        assert torch.allclose(x, y, rtol=tol, atol=tol), name


def test_split_batch_is_contiguous() -> None:
    parts = split_batch({"x": torch.arange(6), "meta": "m"}, 3)
    assert [p["x"].tolist() for p in parts] == [[0, 1], [2, 3], [4, 5]] and parts[2]["meta"] == "m"


@pytest.mark.parametrize("factory", [Regress, functools.partial(NoisyContrastive, noise=0.0)])
def test_accumulated_training_matches_the_large_batch(tmp_path: Path, factory: object) -> None:
    one = train(config(steps=3, batch_size=16), tmp_path / "k1", recipe=recipe(factory))
    four = train(config(steps=3, batch_size=16, grad_accum=4), tmp_path / "k4", recipe=recipe(factory))
    _close(one.module, four.module)


def _grads(module: torch.nn.Module) -> list[torch.Tensor]:
    out = [p.grad.clone() for p in module.parameters()]
    module.zero_grad(set_to_none=True)
    return out


def test_grad_cache_replays_views_and_dropout_exactly() -> None:
    torch.manual_seed(0)
    module = NoisyContrastive(noise=0.5, dropout=0.3)
    batch = toy_data(12).__getitems__(torch.arange(12))
    # reference: one graph through every micro-batch, drawing the same random numbers in the same order
    gen = torch.Generator().manual_seed(1)
    torch.manual_seed(2)
    embs = [module.encode(mb, gen) for mb in split_batch(batch, 3)]
    cat = {k: torch.cat([e[k] for e in embs]) for k in embs[0]}
    ref_loss = module.loss_from_embeddings(cat, batch).loss
    ref_loss.backward()
    want, after_ref = _grads(module), torch.rand(1, generator=gen)
    gen = torch.Generator().manual_seed(1)
    torch.manual_seed(2)
    out = forward_backward(
        module,
        module,
        batch,
        grad_accum=3,
        grad_cache=True,
        generator=gen,
        precision=FP32,
        scaler=None,
        device=CPU,
    )
    got = _grads(module)
    assert torch.allclose(out.loss, ref_loss.detach(), atol=1e-6)
    for g, w in zip(got, want):
        assert torch.allclose(g, w, rtol=1e-5, atol=1e-6)
    assert torch.equal(torch.rand(1, generator=gen), after_ref)  # generator ends where one pass would


def test_coupled_module_without_grad_cache_is_refused(tmp_path: Path) -> None:
    assert check_accumulation(CoupledNoCache(), 1, "none") is False
    assert check_accumulation(NoisyContrastive(), 2, "none") is True
    assert check_accumulation(Regress(), 2, "none") is False
    with pytest.raises(ConfigError, match="batch-coupled loss") as info:
        train(config(grad_accum=2), tmp_path, recipe=recipe(CoupledNoCache))
    assert "encode()/loss_from_embeddings()" in str(info.value) and info.value.key == "train.grad_accum"
    with pytest.raises(ConfigError, match="FSDP2"):
        check_accumulation(NoisyContrastive(), 2, "fsdp2")
