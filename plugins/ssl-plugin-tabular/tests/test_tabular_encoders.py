"""Tokenizer and encoder: reference computation of the tokens, shapes, subsets and initialisation."""

from __future__ import annotations

import pytest
import torch
from ssl_plugin_tabular.encoders import FeatureTokenizer, TJEPAEncoder

from ssl_core.nn import sinusoidal_positions


def _batch(b: int = 5, n_num: int = 3, cards: tuple[int, ...] = (4, 2)) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x_cat = torch.stack([torch.randint(0, k, (b,), generator=g) for k in cards], dim=1)
    return {"x_num": torch.rand(b, n_num, generator=g), "x_cat": x_cat}


def test_tokenizer_matches_naive_loop():
    tok = FeatureTokenizer(3, [4, 2], dim=6, n_cls=2).double()
    batch = _batch()
    out = tok(batch["x_num"].double(), batch["x_cat"])
    assert out.shape == (5, 2 + 3 + 2, 6)
    for b in range(5):
        for r in range(2):
            torch.testing.assert_close(out[b, r], tok.reg_weight[r])
        for j in range(3):
            torch.testing.assert_close(
                out[b, 2 + j], batch["x_num"][b, j].double() * tok.num_weight[j] + tok.num_bias[j]
            )
        offset = 0
        for j, k in enumerate([4, 2]):
            row = tok.cat_embed.weight[offset + int(batch["x_cat"][b, j])]
            torch.testing.assert_close(out[b, 5 + j], row + tok.cat_bias[j])
            offset += k


def test_out_of_range_category_uses_reserved_row():
    tok = FeatureTokenizer(0, [3], dim=4, n_cls=0)
    out = tok(torch.zeros(2, 0), torch.tensor([[7], [0]]))
    torch.testing.assert_close(out[0], out[1])


def test_no_reg_tokens_and_validation():
    assert FeatureTokenizer(2, [], dim=4, n_cls=0)(
        torch.rand(3, 2), torch.zeros(3, 0, dtype=torch.long)
    ).shape == (3, 2, 4)
    with pytest.raises(ValueError):
        FeatureTokenizer(0, [], dim=4)


def test_encoder_shapes_positions_and_subset():
    enc = TJEPAEncoder(3, [4, 2], dim=8, depth=2, heads=2, ffn_dim=16, n_cls=1).eval()
    batch = _batch()
    full = enc(batch)
    assert full["tokens"].shape == (5, 6, 8) and full["pooled"].shape == (5, 8)
    assert enc.flat(batch).shape == (5, enc.flat_dim) == (5, 48)
    torch.testing.assert_close(enc.positions, sinusoidal_positions(6, 8, 100.0))
    idx = torch.tensor([[0, 2, 5]] * 5)
    sub = enc({**batch, "context_idx": idx})["tokens"]
    # the subset equals encoding only those tokens: a 1-token subset of a row is independent of the others
    one = enc({**batch, "context_idx": idx[:, :1]})["tokens"]
    assert sub.shape == (5, 3, 8) and one.shape == (5, 1, 8)
    changed = {**batch, "x_num": batch["x_num"] + 1.0}
    torch.testing.assert_close(enc({**changed, "context_idx": idx[:, :1]})["tokens"], one)


def test_encoder_init_is_trunc_normal_002():
    enc = TJEPAEncoder(3, [4], dim=64, depth=2, heads=2, ffn_dim=64)
    w = enc.transformer.layers[0].linear1.weight.detach()
    assert 0.017 < float(w.std()) < 0.023  # the official code's trunc_normal_(std=0.02) (bounds +-2)
    assert float(enc.transformer.layers[0].linear1.bias.detach().abs().max()) == 0.0


def test_gradients_reach_all_parameters():
    enc = TJEPAEncoder(3, [4, 2], dim=8, depth=1, heads=2, ffn_dim=8, n_cls=2)
    enc.flat(_batch()).pow(2).sum().backward()
    missing = [n for n, p in enc.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert missing == []


def test_token_init_std_is_unit_scale_unless_set():
    from ssl_plugin_tabular.config import PAPER_TOKEN_STD, TJEPAArgs
    from ssl_plugin_tabular.method import token_init_std

    assert token_init_std(TJEPAArgs()) == 1.0  # on every table (T-JEPA's 0.02 starts collapsed)
    assert token_init_std(TJEPAArgs(token_std=PAPER_TOKEN_STD)) == 0.02
    assert token_init_std(TJEPAArgs(token_std=0.3)) == 0.3
    torch.manual_seed(0)
    tok = FeatureTokenizer(50, [400], dim=64, init_std=1.0)
    assert 0.8 < float(tok.num_weight.detach().std()) < 0.95  # N(0, 1) cut at +-2: std 0.88
    assert float(FeatureTokenizer(50, [400], dim=64).num_weight.detach().std()) < 0.025
    with pytest.raises(ValueError, match="token_std"):
        TJEPAArgs(token_std=0.0)


def test_the_monitors_see_the_flat_representation():
    from ssl_plugin_tabular.method import build_tjepa

    module = build_tjepa(
        3, [4, 2], dim=8, depth=1, heads=2, ffn_dim=16, pred_dim=4, pred_depth=1, pred_heads=2
    )
    batch = _batch()
    out = module(batch, torch.Generator().manual_seed(0))
    assert out.embeddings is not None and out.embeddings.shape == (5, 6 * 8)
    torch.testing.assert_close(out.embeddings, module.embed(batch))  # what the probes use
