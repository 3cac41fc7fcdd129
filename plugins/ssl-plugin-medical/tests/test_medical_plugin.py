"""Plugin wiring: the contract (check_plugin), the recipe through the engine, the domain verbs."""

from __future__ import annotations

import numpy as np
import pytest
import ssl_plugin_medical.plugin as plugin
import torch
from conftest import ssl, write_embed_input, write_npz
from ssl_plugin_medical.encoders import UnifiedViT
from ssl_plugin_medical.objectives import DualBranchLoss
from ssl_plugin_medical.views import Uni4EyeAugment

from ssl_core.engine import load_run, train
from ssl_core.lifecycle import evaluate_run
from ssl_core.testing import check_plugin
from ssl_core.testing.configs import tiny_run_config

TINY = {"dim": 16, "depth": 1, "heads": 2, "dec_dim": 8, "dec_heads": 2, "probe_epochs": 3, "cnn_epochs": 1,
        "eval_seeds": 1, "batch_3d": 4}  # fmt: skip


def _images(b: int = 4) -> dict[str, torch.Tensor]:
    return {"image": torch.randint(0, 256, (b, 1, 28, 28), dtype=torch.uint8)}


def _masked(b: int = 3, length: int = 8, p: int = 16) -> tuple[torch.Tensor, ...]:
    gen = torch.Generator().manual_seed(0)
    pred = [torch.randn(b, length, p, generator=gen, requires_grad=True) for _ in range(2)]
    mask = (torch.rand(b, length, generator=gen) < 0.75).float()
    return pred[0], torch.randn(b, length, p), pred[1], torch.rand(b, length, p), mask


EXAMPLES = {
    "medical/unified-vit": lambda: (UnifiedViT(16, 1, 2, dims=(2,)), {"image": torch.rand(3, 1, 28, 28)}),
    "medical/uni4eye-augment": lambda: (
        Uni4EyeAugment(),
        {**_images(), "volume": torch.rand(4, 1, 28, 28, 28)},
    ),
    "medical/dual-branch": lambda: (DualBranchLoss(1.0), _masked()),
}


@pytest.mark.timeout(240)
def test_plugin_contract(tmp_path):
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=write_embed_input)


def test_3d_encoder_contract():
    from ssl_core.testing import check_encoder

    check_encoder(UnifiedViT(16, 1, 2, dims=(3,)), {"volume": torch.rand(2, 1, 28, 28, 28)})


def test_recipe_trains_alternates_and_reloads_without_the_file(tmp_path):
    data2, data3 = write_npz(tmp_path, n=16), write_npz(tmp_path, "v.npz", ndim=3, n=8)
    cfg = tiny_run_config("medical/uni4eye", {**TINY, "data": str(data2)}, batch_size=8, steps=2)
    result = train(cfg, tmp_path / "run")
    assert result.step == 2 and result.recipe.data.dims == (2,)
    data2.unlink()
    loaded = load_run(tmp_path / "run")
    assert loaded.recipe.train_data is None
    test = loaded.recipe.data.splits["test"][2].x
    np.testing.assert_allclose(loaded.module.embed({"image": test}).numpy(),
                               result.module.embed({"image": test}).numpy(), rtol=1e-5, atol=1e-6)  # fmt: skip
    rows = evaluate_run(tmp_path / "run", quick=True, seeds=3)
    assert {r.metric for r in rows} == {"auc", "acc"} and all(
        r.n == 3 and r.method == "paired t" for r in rows
    )
    # a 3D run: the volumes' own patch embedding, position table and heads
    cfg3 = tiny_run_config("medical/uni4eye", {**TINY, "data": str(data3)}, batch_size=4, steps=1)
    assert train(cfg3, tmp_path / "run3").recipe.data.dims == (3,)


def test_joint_batches_alternate_between_2d_and_3d():
    from ssl_core.plugins import get_registries

    recipe = get_registries().recipes.build("medical/uni4eye", **TINY, max_items=8)
    module, data = recipe.module, recipe.train_data
    batch = data.__getitems__(list(range(8)))
    assert batch["image"].shape == (8, 1, 28, 28) and batch["volume"].shape == (8, 1, 28, 28, 28)
    seen = []
    for step in range(4):
        module.set_step(step, 4)
        out = module(batch, torch.Generator().manual_seed(step))
        seen.append(next(k for k in out.metrics if k in ("loss/2d", "loss/3d")))
    assert seen == ["loss/2d", "loss/3d", "loss/2d", "loss/3d"]
    module.set_step(1, 4)
    assert module.select(batch)["volume"].shape[0] == TINY["batch_3d"]


def test_inspect_and_reconstruct(tmp_path):
    data = write_npz(tmp_path, n=16)
    out = ssl("medical", "inspect", str(data))
    assert out.exit_code == 0 and "train: 16 2D items of 28x28 uint8" in out.output
    cfg = tiny_run_config("medical/uni4eye", {**TINY, "data": str(data)}, batch_size=8, steps=1)
    train(cfg, tmp_path / "run")
    fig = tmp_path / "fig.png"
    out = ssl("medical", "reconstruct", str(tmp_path / "run"), str(data), "-o", str(fig))
    assert out.exit_code == 0, out.output
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = ssl("medical", "embed", str(tmp_path / "run"), str(data), "-o", str(tmp_path / "e.npy"))
    assert out.exit_code == 0, out.output
    assert np.load(tmp_path / "e.npy").shape == (8, 16)
