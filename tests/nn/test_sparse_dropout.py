import math

import pytest
import torch

from ssl_core.nn.sparse_dropout import SPARSE_MAX_P, dropped_positions, relu_dropout_, sparse_dropout


def test_dropped_positions_are_sorted_unique_in_range_at_rate_p():
    torch.manual_seed(0)
    n, p = 2_000_000, 0.002
    pos = dropped_positions(n, p)
    assert pos.dtype == torch.long and int(pos.min()) >= 0 and int(pos.max()) < n
    assert bool((pos[1:] > pos[:-1]).all())
    sigma = math.sqrt(n * p * (1 - p))
    assert abs(pos.numel() - n * p) < 5 * sigma


def test_every_position_is_dropped_independently_with_probability_p():
    """Per-position frequencies (chi-square) and adjacent pairs (p^2) over many small masks."""
    torch.manual_seed(1)
    n, p, draws = 40, 0.05, 6000
    counts = torch.zeros(n)
    pairs = 0
    for _ in range(draws):
        mask = torch.zeros(n, dtype=torch.bool)
        mask[dropped_positions(n, p)] = True
        counts += mask
        pairs += int((mask[1:] & mask[:-1]).sum())
    expected = draws * p
    chi2 = float(((counts - expected) ** 2 / (expected * (1 - p))).sum())
    assert chi2 < 80.0  # 39 degrees of freedom: the 99.99th percentile is about 79
    pair_mean = draws * (n - 1) * p * p
    assert abs(pairs - pair_mean) < 5 * math.sqrt(pair_mean)


def test_sparse_dropout_scales_kept_elements_and_masks_the_gradient_float64():
    torch.manual_seed(2)
    p = 0.01
    x = (torch.rand(64, 33, dtype=torch.float64) + 0.5).requires_grad_()
    out = sparse_dropout(x, p, training=True)
    keep = out != 0
    assert 0 < int((~keep).sum()) < x.numel()
    torch.testing.assert_close(
        out, torch.where(keep, x * (1.0 / (1 - p)), torch.zeros_like(x)), rtol=0, atol=0
    )
    grad = torch.randn_like(out)
    out.backward(grad)
    torch.testing.assert_close(x.grad, torch.where(keep, grad * (1.0 / (1 - p)), torch.zeros_like(grad)))


def test_relu_dropout_matches_relu_then_the_recovered_mask_float64():
    torch.manual_seed(3)
    p = 0.02
    base = torch.randn(128, 40, dtype=torch.float64, requires_grad=True)
    x = base * 1.0  # a non-leaf the function may overwrite
    relu = base.detach().relu()
    masked, scale = relu_dropout_(x, p, training=True)
    assert scale == 1.0 / (1 - p)
    out = masked * scale
    dropped = (relu > 0) & (out == 0)
    assert 0 < int(dropped.sum()) < int((relu > 0).sum())
    torch.testing.assert_close(out, torch.where(dropped, 0.0, relu * (1.0 / (1 - p))), rtol=0, atol=0)
    torch.testing.assert_close(masked, torch.where(dropped, 0.0, relu), rtol=0, atol=0)
    grad = torch.randn_like(out)
    out.backward(grad)
    want = torch.where((base.detach() > 0) & ~dropped, grad * (1.0 / (1 - p)), torch.zeros_like(grad))
    torch.testing.assert_close(base.grad, want)


def test_eval_zero_rate_and_large_rates():
    x = torch.randn(10, 10)
    assert sparse_dropout(x, 0.3, training=False) is x
    assert sparse_dropout(x, 0.0) is x
    torch.testing.assert_close(relu_dropout_(x.clone(), 0.3, training=False), (x.relu(), 1.0))
    torch.manual_seed(4)
    big = sparse_dropout(torch.ones(100_000), 0.5)  # above SPARSE_MAX_P: the dense mask
    assert 0.5 - 0.01 < float((big == 0).float().mean()) < 0.5 + 0.01
    assert SPARSE_MAX_P < 0.5


@pytest.mark.parametrize("p", [0.002, 0.04])
def test_mean_is_preserved(p):
    torch.manual_seed(5)
    out = sparse_dropout(torch.ones(1_000_000), p)
    assert abs(float(out.mean()) - 1.0) < 5 * math.sqrt(p / (1 - p) / 1_000_000)


def _reference_layer(layer, x, masks, p):
    """nn.TransformerEncoderLayer's post-norm math written out, with given dropout masks."""
    import torch.nn.functional as F

    s = 1.0 / (1 - p)
    b, n, e = x.shape
    h = layer.self_attn.num_heads
    q, k, v = F.linear(x, layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias).chunk(3, -1)
    q, k, v = (t.view(b, n, h, e // h).transpose(1, 2) for t in (q, k, v))
    w = (q @ k.transpose(-1, -2) / math.sqrt(e // h)).softmax(-1) * masks[0].view(b, h, n, n) * s
    a = layer.self_attn.out_proj((w @ v).transpose(1, 2).reshape(b, n, e))
    x1 = layer.norm1(x + a * masks[1].view(b, n, e) * s)
    hid = layer.linear1(x1).relu() * masks[2].view(b, n, -1) * s
    return layer.norm2(x1 + layer.linear2(hid) * masks[3].view(b, n, e) * s)


def test_fast_encoder_layer_with_dropout_equals_the_reference_on_the_same_masks_float64(monkeypatch):
    """Training mode, ReLU + every dropout drawn sparsely: output and input gradient equal the layer's
    math with the same masks (recorded at the draw) to float64 rounding."""
    from torch import nn

    from ssl_core.nn import sparse_dropout as module
    from ssl_core.nn.transformer import encoder_layer

    torch.manual_seed(6)
    p = 0.03
    layer = nn.TransformerEncoderLayer(8, 2, 32, p, "relu", batch_first=True, norm_first=False).double()
    x = torch.randn(16, 5, 8, dtype=torch.float64, requires_grad=True)
    masks: list[torch.Tensor] = []
    real = module.dropped_positions

    def recording(numel, rate, device="cpu"):
        pos = real(numel, rate, device)
        keep = torch.ones(numel, dtype=torch.float64)
        keep[pos] = 0.0
        masks.append(keep)
        return pos

    monkeypatch.setattr(module, "dropped_positions", recording)
    out = encoder_layer(layer, x)
    assert len(masks) == 4 and all(float(m.mean()) < 1.0 for m in masks)  # every dropout dropped something
    x_ref = x.detach().clone().requires_grad_()
    ref = _reference_layer(layer, x_ref, masks, p)
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-12)
    grad = torch.randn_like(out)
    out.backward(grad)
    ref.backward(grad)
    torch.testing.assert_close(x.grad, x_ref.grad, rtol=1e-10, atol=1e-12)
