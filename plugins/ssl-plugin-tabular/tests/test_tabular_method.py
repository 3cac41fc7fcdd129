"""T-JEPA module: masks respect the [REG] tokens, gradients flow where they should, contracts hold."""

from __future__ import annotations

import pytest
import torch
from ssl_plugin_tabular.encoders import TJEPAEncoder
from ssl_plugin_tabular.method import TJEPA, build_tjepa
from ssl_plugin_tabular.objectives import JEPALoss, JEPAPredictor
from ssl_plugin_tabular.views import tjepa_masks

from ssl_core.ema import ema_update_
from ssl_core.testing.contracts import check_encoder, check_objective

TINY = {"dim": 8, "depth": 1, "heads": 2, "ffn_dim": 8, "pred_dim": 4, "pred_depth": 1, "pred_heads": 2}


def _batch(b: int = 16, n_num: int = 4, cards: tuple[int, ...] = (3, 5, 2)) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(1)
    x_cat = torch.stack([torch.randint(0, k, (b,), generator=g) for k in cards], dim=1)
    return {"x_num": torch.rand(b, n_num, generator=g), "x_cat": x_cat}


@pytest.mark.parametrize("n_cls", [0, 1, 3])
def test_masks_keep_reg_tokens_in_context_and_out_of_targets(n_cls):
    masks = tjepa_masks(7, n_cls=n_cls)
    g = torch.Generator().manual_seed(0)
    seen_last = False
    for _ in range(20):
        view = masks(_batch(), g)["masks"]
        ctx, tgt = view["context_idx"], view["target_idx"]
        assert tgt.shape[:2] == (4, 16)
        assert (ctx[:, :n_cls] == torch.arange(n_cls)).all()
        assert int(tgt.min()) >= n_cls and int(tgt.max()) <= n_cls + 6 and int(ctx.max()) <= n_cls + 6
        for s in range(4):
            overlap = (ctx.unsqueeze(2) == tgt[s].unsqueeze(1)).any()
            assert not bool(overlap)
        seen_last |= bool((tgt == n_cls + 6).any())
    assert seen_last  # the last feature can be a target (it never is in the official code)


def test_step_loss_gradients_and_teacher():
    module = build_tjepa(4, [3, 5, 2], n_cls=1, **TINY)
    out = module(_batch(), torch.Generator().manual_seed(0))
    assert out.loss.ndim == 0 and torch.isfinite(out.loss) and "jepa/loss" in out.metrics
    out.loss.backward()
    assert all(p.grad is None for p in module.target_encoder.parameters())
    for name in ("encoder.tokenizer.reg_weight", "predictor.mask_token", "predictor.proj.weight"):
        assert (
            module.get_parameter(
                name.replace("encoder.", "context_encoder.", 1) if name.startswith("encoder") else name
            ).grad
            is not None
        )
    ((student, teacher),) = module.ema_pairs()
    assert student is module.context_encoder and teacher is module.target_encoder
    with torch.no_grad():
        student.tokenizer.reg_weight.add_(1.0)
    before = teacher.tokenizer.reg_weight.clone()
    ema_update_(teacher, student, 0.5)
    torch.testing.assert_close(
        teacher.tokenizer.reg_weight, 0.5 * before + 0.5 * student.tokenizer.reg_weight
    )


def test_loss_is_mse_to_the_target_encoder_tokens():
    module = build_tjepa(4, [3, 5, 2], n_cls=1, **TINY).eval()
    batch, g = _batch(8), torch.Generator().manual_seed(3)
    loss = module(batch, g).loss
    view = module.masks(batch, torch.Generator().manual_seed(3))["masks"]
    ctx_idx, tgt = view["context_idx"], view["target_idx"]
    full = module.target_encoder.encode_tokens(batch["x_num"], batch["x_cat"])
    context = module.context_encoder.encode_tokens(batch["x_num"], batch["x_cat"], ctx_idx)
    manual = []
    for s in range(tgt.shape[0]):
        pred = module.predictor(context, ctx_idx, tgt[s])
        target = torch.stack([full[b, tgt[s, b]] for b in range(8)])
        manual.append(((pred - target) ** 2).mean())
    torch.testing.assert_close(loss, torch.stack(manual).mean(), rtol=1e-5, atol=1e-6)


def test_embed_is_flattened_target_output():
    module = build_tjepa(4, [3, 5, 2], n_cls=2, **TINY).eval()
    emb = module.embed(_batch(5))
    assert emb.shape == (5, (2 + 7) * 8)
    torch.testing.assert_close(emb, module.target_encoder.flat(_batch(5)))


def test_mismatched_masks_rejected():
    enc = TJEPAEncoder(4, [3], dim=8, depth=1, heads=2, ffn_dim=8, n_cls=1)
    pred = JEPAPredictor(8, 4, enc.n_tokens, depth=1, num_heads=2)
    with pytest.raises(ValueError, match="always-context"):
        TJEPA(enc, pred, tjepa_masks(5, n_cls=0))


def test_contracts():
    enc = TJEPAEncoder(4, [3, 5, 2], dim=8, depth=1, heads=2, ffn_dim=8, n_cls=1)
    check_encoder(enc, _batch(6))
    check_encoder(enc, {**_batch(6), "context_idx": torch.tensor([[0, 2, 5]] * 6)})
    check_objective(JEPALoss(), (torch.randn(6, 3, 8, requires_grad=True), torch.randn(6, 3, 8)))


def test_masks_are_seeded_and_leave_global_rng_alone():
    from ssl_core.testing.contracts import check_view_generator

    check_view_generator(tjepa_masks(7), _batch(6), stochastic=True)  # target_idx: batch on dim 1
