"""Chebyshev graph convolution (Clenshaw form) against the official dense formulation, in float64."""

from __future__ import annotations

import numpy as np
import torch
from ssl_plugin_traffic.encoders import (
    ChebGraphConv,
    FactoredInput,
    GCRUCell,
    GCRUEncoder,
    STEmbedding,
    chebyshev_combine,
    dynamic_propagator,
    static_propagator,
)
from ssl_plugin_traffic.graph import sparse_support, sym_adj

from ssl_core.testing.contracts import check_encoder


def official_agcn(
    x: torch.Tensor, support: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor, k: int
) -> torch.Tensor:
    """The official AGCN forward: dense supports [I, A, 2A T1 - T0], concat, one weight (B, N, C)."""
    eye = torch.eye(support.shape[-1], dtype=support.dtype).expand_as(support)
    supports = [eye, support]
    for _ in range(2, k):
        supports.append(2 * support @ supports[-1] - supports[-2])
    x_g = torch.cat([s @ x for s in supports], dim=-1)
    return x_g @ weight + bias


def stacked_weight(conv: ChebGraphConv, k: int) -> torch.Tensor:
    din = conv.weight.shape[0]
    return conv.weight.view(din, k, -1).permute(1, 0, 2).reshape(k * din, -1)


def test_chebyshev_combine_matches_polynomials() -> None:
    torch.manual_seed(0)
    a = torch.randn(6, 6, dtype=torch.float64) / 3
    for k in (1, 2, 3, 5):
        y = torch.randn(6, k, 4, dtype=torch.float64)
        t = [torch.eye(6, dtype=torch.float64), a]
        for _ in range(2, k):
            t.append(2 * a @ t[-1] - t[-2])
        expect = sum(t[i] @ y[:, i] for i in range(k))
        torch.testing.assert_close(chebyshev_combine(y, lambda v: a @ v, k), expect)


def test_cheb_conv_equals_official_dynamic_and_static() -> None:
    torch.manual_seed(1)
    conv = ChebGraphConv(5, 7, cheb_k=3).double()
    w = stacked_weight(conv, 3)
    graph = torch.softmax(torch.randn(2, 6, 6, dtype=torch.float64), -1)
    x = torch.randn(2, 6, 5, dtype=torch.float64)
    expect = official_agcn(x, graph, w, conv.bias, 3)
    torch.testing.assert_close(conv(x, dynamic_propagator(graph)), expect)
    adj = torch.from_numpy(sym_adj(np.random.default_rng(0).random((6, 6)))).double()
    node_major = x.transpose(0, 1).contiguous()  # (N, B, C)
    got = conv(node_major, static_propagator(adj)).transpose(0, 1)
    torch.testing.assert_close(got, official_agcn(x, adj.expand(2, 6, 6), w, conv.bias, 3))


def test_sparse_static_propagation_gradients() -> None:
    torch.manual_seed(2)
    adj = sym_adj(np.random.default_rng(1).random((5, 5)) * (np.random.default_rng(2).random((5, 5)) > 0.4))
    dense, sparse = torch.from_numpy(adj), sparse_support(adj)
    x1 = torch.randn(5, 3, 4, requires_grad=True)
    x2 = x1.detach().clone().requires_grad_(True)
    (static_propagator(sparse)(x1) ** 2).sum().backward()
    (torch.einsum("nm,mbc->nbc", dense, x2) ** 2).sum().backward()
    torch.testing.assert_close(x1.grad, x2.grad)


def test_gru_cell_and_recompute_give_same_gradients() -> None:
    torch.manual_seed(3)
    cell = GCRUCell(3, 4).double()
    graph = torch.softmax(torch.randn(2, 5, 5, dtype=torch.float64), -1).requires_grad_(True)
    x = torch.randn(2, 5, 3, dtype=torch.float64)
    h = torch.randn(2, 5, 4, dtype=torch.float64)
    grads = []
    for recompute in (False, True):
        cell.zero_grad()
        graph.grad = None
        out = cell.step(x, h, dynamic_propagator(graph), recompute)
        out.pow(2).sum().backward()
        grads.append([graph.grad.clone()] + [p.grad.clone() for p in cell.parameters()])
    # official update rule r*h + (1-r)*candidate
    z_r = torch.sigmoid(cell.gate(torch.cat((x, h), -1), dynamic_propagator(graph)))
    z, r = z_r.split(4, -1)
    cand = torch.tanh(cell.update(torch.cat((x, z * h), -1), dynamic_propagator(graph)))
    torch.testing.assert_close(cell(x, h, dynamic_propagator(graph)), r * h + (1 - r) * cand)
    for a, b in zip(*grads):
        torch.testing.assert_close(a, b)


def test_gcru_encoder_contract() -> None:
    torch.manual_seed(4)
    adj = sym_adj(np.eye(4) + np.roll(np.eye(4), 1, axis=1))
    encoder = GCRUEncoder(STEmbedding(4, 24, 2, 3, 3), sparse_support(adj), hidden=6)
    batch = {"x": torch.randn(3, 5, 4), "tod_x": torch.randint(0, 24, (3, 5))}
    out = check_encoder(encoder, batch)
    assert out["pooled"].shape == (3, 6) and out["nodes"].shape == (3, 4, 6)


def test_factored_input_equals_concatenated_input_with_gradients() -> None:
    torch.manual_seed(5)
    emb = STEmbedding(5, 24, 3, 4, 2).double()
    cell = GCRUCell(emb.output_dim, 6).double()
    graph = torch.softmax(torch.randn(2, 5, 5, dtype=torch.float64), -1)
    adj = torch.from_numpy(sym_adj(np.random.default_rng(3).random((5, 5))))
    value = torch.randn(2, 5, dtype=torch.float64)
    tod = torch.tensor([3, 17])
    h = torch.randn(2, 5, 6, dtype=torch.float64)
    params = list(emb.parameters()) + list(cell.parameters())
    for node_major, propagate in ((False, dynamic_propagator(graph)), (True, static_propagator(adj))):
        results = []
        for factored in (False, True):
            v = value.clone().requires_grad_(True)
            state = h.transpose(0, 1) if node_major else h
            if factored:
                x: torch.Tensor | FactoredInput = FactoredInput(v, tod, cell.input_factors(emb), node_major)
            else:
                x = emb(v, tod).transpose(0, 1) if node_major else emb(v, tod)
            out = cell(x, state, propagate)
            grads = torch.autograd.grad(out.pow(2).sum(), [v, *params])
            results.append((out, grads))
        torch.testing.assert_close(results[1][0], results[0][0])
        for a, b in zip(results[1][1], results[0][1]):
            torch.testing.assert_close(a, b)


def test_sparse_static_propagation_in_bfloat16_uses_a_dense_product() -> None:
    torch.manual_seed(6)
    adj = sym_adj(np.random.default_rng(4).random((6, 6)) * (np.random.default_rng(5).random((6, 6)) > 0.5))
    x = torch.randn(6, 3, 4).bfloat16().requires_grad_(True)
    out = static_propagator(sparse_support(adj))(x)
    out.float().pow(2).sum().backward()
    dense = torch.from_numpy(adj).float()
    expect = torch.einsum("nm,mbc->nbc", dense, x.detach().float())
    assert out.dtype == torch.bfloat16 and x.grad is not None and x.grad.dtype == torch.bfloat16
    torch.testing.assert_close(out.float(), expect, atol=0.05, rtol=0.02)
    grad = torch.einsum("mn,mbc->nbc", dense, 2 * out.detach().float())
    torch.testing.assert_close(x.grad.float(), grad, atol=0.1, rtol=0.03)


def test_bfloat16_autocast_keeps_the_recurrence_in_bfloat16() -> None:
    """Under bf16 autocast the state stays bf16 (no fp32 <-> bf16 conversion per step), close to fp32."""
    torch.manual_seed(7)
    adj = sym_adj(np.random.default_rng(6).random((5, 5)))
    encoder = GCRUEncoder(STEmbedding(5, 24, 2, 3, 3), sparse_support(adj), hidden=8)
    value, tod = torch.randn(3, 4, 5), torch.randint(0, 24, (3, 4))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        low = encoder.encode(value, tod)
    low.float().pow(2).sum().backward()
    assert low.dtype == torch.bfloat16 and encoder.cell.gate.bias.grad is not None
    assert encoder.cell.gate.bias.grad.dtype == torch.float32
    torch.testing.assert_close(low.float(), encoder.encode(value, tod), atol=0.05, rtol=0.05)
