"""A drop-in ``nn.TransformerEncoder`` with plain batched-matmul attention, fast for tiny heads.

Vaswani et al., 2017, "Attention Is All You Need", arXiv 1706.03762 (the encoder layer); the layers
are PyTorch's own ``nn.TransformerEncoderLayer`` (pre- or post-norm), so parameters and state-dict keys
are unchanged. Only the computation differs: ``softmax(q k^T / sqrt(d)) v`` is two small batched
matmuls and an elementwise softmax instead of ``F.scaled_dot_product_attention``. On CPU the SDPA
kernels (flash / math) and ``torch.softmax`` over a short last dim are slow for head dims of 4-32 and
sequences of 5-30 tokens (T-JEPA's predictor spent most of a step there); the explicit form is about
1.5x faster for the whole predictor and identical up to float rounding.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ssl_core.nn.sparse_dropout import relu_dropout_, sparse_dropout


class _SoftmaxLast(torch.autograd.Function):
    """Softmax over the last dim from elementwise ops; saves only its output, like ``torch.softmax``."""

    @staticmethod
    def forward(ctx: Any, scores: Tensor) -> Tensor:
        # the max is subtracted for range only (softmax is shift invariant)
        e = (scores - scores.amax(dim=-1, keepdim=True)).exp_()
        out = e.div_(e.sum(dim=-1, keepdim=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return out * (grad - (grad * out).sum(dim=-1, keepdim=True))


def softmax_last(scores: Tensor) -> Tensor:
    """``scores.softmax(-1)``, several times faster on CPU when the last dim is small (10-30).

    ``torch.softmax`` over a short last dim runs a slow kernel; exp / sum / divide are fast elementwise
    ops. The backward is the usual ``y * (g - sum(g * y))``.
    """
    return _SoftmaxLast.apply(scores)  # type: ignore[no-any-return]


def self_attention(x: Tensor, attn: nn.MultiheadAttention) -> Tensor:
    """Batch-first multi-head self-attention of ``(B, L, E)`` ``x`` with ``attn``'s parameters.

    Equal to ``attn(x, x, x, need_weights=False)[0]`` for a batch-first module with packed
    (``in_proj_weight``) projections; attention dropout uses ``attn.dropout`` in training mode.
    """
    batch, length, width = x.shape
    heads = attn.num_heads
    head_dim = width // heads
    qkv = F.linear(x, attn.in_proj_weight, attn.in_proj_bias)
    qkv = qkv.view(batch, length, 3, heads, head_dim).permute(2, 0, 3, 1, 4)
    q, k, v = qkv.unbind(0)  # (B, h, L, d) each
    weights = softmax_last(torch.matmul(q * (1.0 / math.sqrt(head_dim)), k.transpose(-1, -2)))
    weights = sparse_dropout(weights, attn.dropout, attn.training)
    out = torch.matmul(weights, v).transpose(1, 2).reshape(batch, length, width)
    return attn.out_proj(out)


def _drop(module: nn.Module, x: Tensor) -> Tensor:
    """An ``nn.Dropout`` module's effect through :func:`sparse_dropout` (same distribution)."""
    return sparse_dropout(x, module.p, module.training) if isinstance(module, nn.Dropout) else module(x)


def encoder_layer(layer: nn.TransformerEncoderLayer, x: Tensor) -> Tensor:
    """``layer(x)`` (no masks) for a batch-first ``nn.TransformerEncoderLayer``, via :func:`self_attention`.

    Dropout draws only the dropped positions (:func:`ssl_core.nn.sparse_dropout.sparse_dropout`, the
    same distribution as ``nn.Dropout``); a ReLU and the dropout after it run as one in-place pass on
    the first linear's output (which nothing else reads), with the dropout scale folded into the second
    linear's weight.
    """

    def feed_forward(h: Tensor) -> Tensor:
        hidden = layer.linear1(h)
        if layer.activation is F.relu and isinstance(layer.dropout, nn.Dropout):
            hidden, scale = relu_dropout_(hidden, layer.dropout.p, layer.dropout.training)
            weight = layer.linear2.weight if scale == 1.0 else layer.linear2.weight * scale
            return _drop(layer.dropout2, F.linear(hidden, weight, layer.linear2.bias))
        hidden = _drop(layer.dropout, layer.activation(hidden))
        return _drop(layer.dropout2, layer.linear2(hidden))

    if layer.norm_first:
        x = x + _drop(layer.dropout1, self_attention(layer.norm1(x), layer.self_attn))
        return x + feed_forward(layer.norm2(x))
    x = layer.norm1(x + _drop(layer.dropout1, self_attention(x, layer.self_attn)))
    return layer.norm2(x + feed_forward(x))


@functools.cache
def compiled_encoder_layer() -> Callable[[nn.TransformerEncoderLayer, Tensor], Tensor]:
    """:func:`encoder_layer` through ``torch.compile``, built on first use and shared by every layer."""
    return torch.compile(encoder_layer)


class FastTransformerEncoder(nn.TransformerEncoder):
    """``nn.TransformerEncoder`` whose unmasked forward uses :func:`encoder_layer`.

    Same constructor, parameters and state-dict keys as ``nn.TransformerEncoder`` (checkpoints of either
    load into the other). The layer must be batch-first with a callable ``activation``; calls with a
    mask or key-padding mask fall back to PyTorch's implementation. :meth:`compile_regions` (or
    ``train.compile_regions``, :mod:`ssl_core.nn.regions`) runs each layer through
    :func:`compiled_encoder_layer`; sequence lengths may change between calls (after one recompile
    the compiled layer takes any length).

    Raises:
        ValueError: if the layer is not batch-first.
    """

    def __init__(self, encoder_layer: nn.TransformerEncoderLayer, num_layers: int, **kwargs: object) -> None:
        kwargs.setdefault("enable_nested_tensor", False)
        super().__init__(encoder_layer, num_layers, **kwargs)  # type: ignore[arg-type]
        if not encoder_layer.self_attn.batch_first:
            raise ValueError("FastTransformerEncoder: the encoder layer must be batch_first")
        self.compiled = False

    def compile_regions(self) -> None:
        """Run every layer through :func:`compiled_encoder_layer` from now on."""
        self.compiled = True

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """Encode ``(B, L, E)`` ``src``; masked calls go to ``nn.TransformerEncoder.forward``."""
        if mask is not None or src_key_padding_mask is not None:
            return super().forward(src, mask, src_key_padding_mask, is_causal)
        x, run = src, compiled_encoder_layer() if self.compiled else encoder_layer
        for layer in self.layers:
            x = run(layer, x)
        return x if self.norm is None else self.norm(x)
