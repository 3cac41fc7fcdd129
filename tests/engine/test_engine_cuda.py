"""GPU paths of the engine: bf16 default, fp16 + GradScaler, fused AdamW, channels_last, compile, resume.

These need CUDA and are skipped on CPU-only machines (CI); run them on a GPU with
``pytest tests/engine/test_engine_cuda.py``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import torch
from _engine_toy import NoisyContrastive, Poisoned, Regress, config, recipe, toy_data
from torch import nn

from ssl_core.data import TensorDictDataset
from ssl_core.engine import train
from ssl_core.engine.accumulation import forward_backward, split_batch
from ssl_core.engine.checkpoint import load_checkpoint
from ssl_core.engine.precision import resolve_precision
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


class ConvRegress(SSLModule):
    """A small CNN on (B, 3, 8, 8) images with a per-sample loss."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 3, 3, padding=1)
        )

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        x = batch["img"]
        z = self.net(x)
        loss = (z - x.flip(-1)).pow(2).mean()
        return StepOutput(loss=loss, metrics={}, embeddings=z.flatten(1).float())


def _conv_recipe() -> Recipe:
    torch.manual_seed(0)
    data = TensorDictDataset({"img": torch.randn(64, 3, 8, 8, generator=torch.Generator().manual_seed(0))})
    return Recipe(name="test/conv", module=ConvRegress(), train_data=data)


def _state(module: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def test_default_gpu_settings_bf16_fused_channels_last(tmp_path: Path) -> None:
    res = train(config(steps=4, device="auto", channels_last=True), tmp_path, recipe=_conv_recipe())
    assert "precision=bf16" in (tmp_path / "log.txt").read_text()
    assert next(res.module.parameters()).is_cuda
    assert res.module.net[0].weight.is_contiguous(memory_format=torch.channels_last)
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert all(g.get("fused") for g in state["optimizer"]["param_groups"])
    assert state["rng"][0]["cuda"] and res.metrics["loss"] == res.metrics["loss"]


def test_fp16_with_grad_scaler(tmp_path: Path) -> None:
    res = train(config(steps=4, device="cuda", precision="fp16"), tmp_path, recipe=recipe(Regress))
    state = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert state["scaler"] is not None and state["scaler"]["scale"] > 0
    assert res.step == 4 and res.metrics["nonfinite_skipped"] == 0


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
def test_resume_on_gpu_matches_uninterrupted(tmp_path: Path, precision: str) -> None:
    factory = functools.partial(NoisyContrastive, noise=0.3, dropout=0.2)
    cfg = config(steps=8, device="cuda", precision=precision, ckpt_every=100, grad_accum=2)
    full = train(cfg, tmp_path / "full", recipe=recipe(factory))
    train(cfg, tmp_path / "part", recipe=recipe(factory), stop_at=3)
    resumed = train(cfg, tmp_path / "part", recipe=recipe(factory), resume=True)
    a, b = _state(full.module), _state(resumed.module)
    for k in a:
        assert torch.allclose(a[k], b[k], rtol=1e-6, atol=1e-7), k


def test_grad_cache_replay_on_gpu() -> None:
    dev = torch.device("cuda")
    torch.manual_seed(0)
    module = NoisyContrastive(noise=0.5, dropout=0.3).to(dev)
    batch = {k: v.to(dev) for k, v in toy_data(12).__getitems__(torch.arange(12)).items()}
    gen = torch.Generator(device=dev).manual_seed(1)
    torch.cuda.manual_seed(2)
    embs = [module.encode(mb, gen) for mb in split_batch(batch, 3)]
    cat = {k: torch.cat([e[k] for e in embs]) for k in embs[0]}
    module.loss_from_embeddings(cat, batch).loss.backward()
    want = [p.grad.clone() for p in module.parameters()]
    module.zero_grad(set_to_none=True)
    gen = torch.Generator(device=dev).manual_seed(1)
    torch.cuda.manual_seed(2)
    prec = resolve_precision("fp32", dev)
    forward_backward(
        module,
        module,
        batch,
        grad_accum=3,
        grad_cache=True,
        generator=gen,
        precision=prec,
        scaler=None,
        device=dev,
    )
    for p, w in zip(module.parameters(), want):
        assert torch.allclose(p.grad, w, rtol=1e-4, atol=1e-6)


def test_compiled_training_on_gpu(tmp_path: Path) -> None:
    eager = train(
        config(steps=3, device="cuda", precision="fp32"), tmp_path / "eager", recipe=recipe(Regress)
    )
    comp = train(
        config(steps=3, device="cuda", precision="fp32", compile=True),
        tmp_path / "comp",
        recipe=recipe(Regress),
    )
    for k, v in _state(eager.module).items():
        assert torch.allclose(v, _state(comp.module)[k], rtol=1e-4, atol=1e-5), k


def test_nonfinite_guard_without_host_sync_on_gpu(tmp_path: Path) -> None:
    cfg = config(steps=4, device="cuda", precision="bf16", ckpt_every=100)
    res = train(cfg, tmp_path / "nan", recipe=recipe(functools.partial(Poisoned, {2}, {3})))
    assert [r for r in (tmp_path / "nan" / "metrics.jsonl").read_text().splitlines()][-1].count(
        '"nonfinite_skipped": 2'
    )
    first = train(cfg, tmp_path / "first", recipe=recipe(), stop_at=1)
    skipped = train(cfg, tmp_path / "skip", recipe=recipe(functools.partial(Poisoned, {2, 3})), stop_at=3)
    for k, v in _state(first.module).items():
        assert torch.equal(v, _state(skipped.module)[k]), k
    assert res.step == 4
