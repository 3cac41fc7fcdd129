import pytest
import torch
from torch import nn

from ssl_core.nn.transformer import FastTransformerEncoder, self_attention, softmax_last


def _pair(norm_first: bool, activation: str, heads: int, final_norm: bool):
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        16, heads, 32, 0.0, activation=activation, batch_first=True, norm_first=norm_first
    )
    norm = nn.LayerNorm(16) if final_norm else None
    ref = nn.TransformerEncoder(layer, 3, norm=norm, enable_nested_tensor=False).double()
    fast = FastTransformerEncoder(layer, 3, norm=norm).double()
    fast.load_state_dict(ref.state_dict())
    return ref, fast


@pytest.mark.parametrize(("norm_first", "activation", "heads"), [(True, "gelu", 4), (False, "relu", 2)])
@pytest.mark.parametrize("train", [True, False])
def test_matches_torch_encoder_and_gradients_in_float64(norm_first, activation, heads, train):
    ref, fast = _pair(norm_first, activation, heads, final_norm=norm_first)
    ref.train(train)
    fast.train(train)
    x = torch.randn(5, 7, 16, dtype=torch.float64, requires_grad=True)
    x2 = x.detach().clone().requires_grad_()
    out_ref, out_fast = ref(x), fast(x2)
    torch.testing.assert_close(out_fast, out_ref, rtol=1e-10, atol=1e-10)
    grad = torch.randn_like(out_ref)
    out_ref.backward(grad)
    out_fast.backward(grad)
    torch.testing.assert_close(x2.grad, x.grad, rtol=1e-9, atol=1e-10)
    for (name, p_ref), p_fast in zip(ref.named_parameters(), fast.parameters(), strict=True):
        torch.testing.assert_close(p_fast.grad, p_ref.grad, rtol=1e-9, atol=1e-10, msg=name)


def test_self_attention_matches_multihead_attention():
    torch.manual_seed(1)
    attn = nn.MultiheadAttention(12, 3, batch_first=True).double()
    x = torch.randn(4, 9, 12, dtype=torch.float64)
    torch.testing.assert_close(self_attention(x, attn), attn(x, x, x, need_weights=False)[0])


def test_state_dict_keys_unchanged_and_masked_calls_fall_back():
    ref, fast = _pair(True, "gelu", 4, final_norm=False)
    assert list(fast.state_dict()) == list(ref.state_dict())
    x = torch.randn(2, 6, 16, dtype=torch.float64)
    pad = torch.tensor([[False] * 6, [False] * 4 + [True] * 2])
    torch.testing.assert_close(fast(x, src_key_padding_mask=pad), ref(x, src_key_padding_mask=pad))


def test_attention_dropout_is_applied_in_training_only():
    layer = nn.TransformerEncoderLayer(8, 2, 16, 0.5, batch_first=True)
    fast = FastTransformerEncoder(layer, 1)
    x = torch.randn(3, 5, 8)
    fast.eval()
    torch.testing.assert_close(fast(x), fast(x))
    fast.train()
    assert not torch.allclose(fast(x), fast(x))


def test_rejects_sequence_first_layers():
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=False)
    with pytest.raises(ValueError, match="batch_first"):
        FastTransformerEncoder(layer, 1)


def test_softmax_last_matches_torch_softmax_and_gradcheck():
    scores = torch.randn(3, 2, 5, 7, dtype=torch.float64) * 30
    torch.testing.assert_close(softmax_last(scores), scores.softmax(-1))
    small = torch.randn(2, 3, 4, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(softmax_last, (small,))
    big = torch.full((1, 3), 1000.0)
    torch.testing.assert_close(softmax_last(big), torch.full((1, 3), 1 / 3))
