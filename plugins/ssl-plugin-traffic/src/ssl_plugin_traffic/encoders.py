"""Graph-convolutional GRU (GCRU) blocks of ST-SSDL (Gao et al., NeurIPS 2025, arXiv 2510.04908).

The official code (AGCRN-style ``AGCN``) forms the Chebyshev supports ``[I, A, 2A T_{k-1} - T_{k-2}]``
as dense matrices, multiplies each with the input and then applies one weight matrix over the
concatenation. Because graph propagation (over nodes) and the weights (over features) commute,
``sum_k T_k(A) X W_k`` is computed here with Clenshaw's recurrence on the *projected* features::

    Y_k = X W_k;  out = Y_0 - Y_2 + A (Y_1 + 2 A Y_2)        (cheb_k = 3)

which needs only ``cheb_k - 1`` propagations and never materialises ``T_k(A)`` (no ``N^3`` products
for the per-sample decoder graph). Static graphs propagate with a torch_geometric-built CSR matrix
on node-major tensors ``(N, B, C)``; per-sample dense graphs ``(B, N, N)`` use ``bmm`` on ``(B, N, C)``.
The result equals the official formulation (tested against a naive float64 reference).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import NamedTuple

import torch
from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from ssl_core.interfaces import POOLED, Encoder
from ssl_plugin_traffic.graph_conv import (
    ChebGraphConv,
    Propagate,
    chebyshev_combine,
    compute_dtype,
    dynamic_propagator,
    static_propagator,
)

__all__ = [
    "Propagate",
    "static_propagator",
    "dynamic_propagator",
    "chebyshev_combine",
    "ChebGraphConv",
    "InputFactors",
    "FactoredInput",
    "GCRUCell",
    "STEmbedding",
    "GCRUEncoder",
]


class InputFactors(NamedTuple):
    """``x @ W_x`` of an :class:`STEmbedding` input ``x = [value w_p + b_p, node_n, time_tod]``, factored.

    ``x @ W_x = value * scale + node[n] + time[tod]``: the node term is constant over batch and
    time, the time term over nodes, the value term is rank one -- the same numbers as the GEMM over
    the concatenated input, without forming it (see :meth:`STEmbedding.factors`).
    """

    scale: Tensor  # (C,)
    node: Tensor  # (N, C), includes the value projection's bias
    time: Tensor  # (steps_per_day, C)


class FactoredInput(NamedTuple):
    """One recurrent step's STE input in factored form (``value`` ``(B, N)``, ``tod`` ``(B,)``)."""

    value: Tensor
    tod: Tensor
    factors: tuple[InputFactors, InputFactors]  # for the cell's gate and update convolutions
    node_major: bool  # output laid out (N, B, C) instead of (B, N, C)

    def project(self, state: Tensor, weight: Tensor, index: int) -> Tensor:
        """``[x, state] @ weight`` for convolution ``index`` (0 gate, 1 update) without forming ``x``.

        The rank-one value term rides along the state GEMM as one extra column (its gradients come
        out of the same GEMMs); the node and time terms are broadcast and added in place.
        """
        f = self.factors[index]
        value = (self.value.t() if self.node_major else self.value).unsqueeze(-1).to(state.dtype)
        rows = torch.cat((weight[-state.shape[-1] :], f.scale.unsqueeze(0).to(weight.dtype)))
        y = torch.cat((state, value), dim=-1) @ rows
        if self.node_major:
            return y.add_(f.node.unsqueeze(1)).add_(f.time[self.tod])
        return y.add_(f.node).add_(f.time[self.tod].unsqueeze(1))


class GCRUCell(nn.Module):
    """GRU cell whose gate and candidate are Chebyshev graph convolutions (official ``AGCRNCell``).

    The input ``x`` is a tensor, or a :class:`FactoredInput` projected without forming ``x`` (one
    GEMM of width ``hidden + 1`` per convolution instead of ``dim_in + hidden``).

    ``fused=True`` (or :meth:`compile_regions`, which ``train.compile_regions`` calls) runs :meth:`step`
    through :func:`fused_forward` (``torch.compile``): the gates, the Chebyshev combination and the
    GRU update become a few generated loops between the products.
    """

    def __init__(self, dim_in: int, hidden: int, cheb_k: int = 3, fused: bool = False) -> None:
        super().__init__()
        self.hidden = hidden
        self.fused = fused
        self.gate = ChebGraphConv(dim_in + hidden, 2 * hidden, cheb_k)
        self.update = ChebGraphConv(dim_in + hidden, hidden, cheb_k)

    def compile_regions(self) -> None:
        """Run every step through :func:`fused_forward` from now on (:mod:`ssl_core.nn.regions`)."""
        self.fused = True

    def step(
        self, x: Tensor | FactoredInput, state: Tensor, propagate: Propagate, recompute: bool = False
    ) -> Tensor:
        """One step; ``recompute`` keeps only ``(x, state)`` for backward and recomputes the rest."""
        if self.fused:
            fn: Callable[..., Tensor] = functools.partial(fused_forward(), self)
        else:
            fn = self
        if recompute and torch.is_grad_enabled():
            return checkpoint(fn, x, state, propagate, use_reentrant=False)
        return fn(x, state, propagate)

    def forward(self, x: Tensor | FactoredInput, state: Tensor, propagate: Propagate) -> Tensor:
        """One step: ``x`` ``(..., dim_in)`` (or factored), ``state`` ``(..., hidden)`` -> new state."""
        if isinstance(x, FactoredInput):
            project: Callable[[Tensor, Tensor, int], Tensor] = x.project
        else:
            project = lambda s, w, _: torch.cat((x, s), dim=-1) @ w  # noqa: E731
        z_r = self.gate.combine(project(state, self.gate.weight, 0), propagate).sigmoid_()
        z, r = z_r.split(self.hidden, dim=-1)
        candidate = self.update.combine(project(z * state, self.update.weight, 1), propagate).tanh_()
        return candidate + r * (state - candidate)  # = r * state + (1 - r) * candidate, fewer saved tensors

    def input_factors(self, embedding: STEmbedding) -> tuple[InputFactors, InputFactors]:
        """The factored input projections of both convolutions for ``embedding``'s input."""
        d = embedding.output_dim
        return embedding.factors(self.gate.weight[:d]), embedding.factors(self.update.weight[:d])


@functools.cache
def fused_forward() -> Callable[..., Tensor]:
    """:meth:`GCRUCell.forward` compiled once by ``torch.compile`` (Inductor), shared by every cell.

    Built on first use (importing the compiler takes seconds). Compiling the unbound method, not a
    cell's bound ``forward``, keeps copies of a cell (EMA, ``deepcopy``) on their own parameters.
    The products stay ATen calls; what fuses is the elementwise work around them, two thirds of an
    eager bf16 step at the official size (``bench/traffic_stssdl.py --part ceiling``).
    """
    return torch.compile(GCRUCell.forward)


class STEmbedding(nn.Module):
    """The official ``use_STE`` input: ``[Linear(1 -> d_in)(value), node embedding, time-of-day embedding]``."""

    def __init__(self, num_nodes: int, steps_per_day: int, d_in: int, d_node: int, d_tod: int) -> None:
        super().__init__()
        self.input_proj = nn.Linear(1, d_in)
        self.node_embedding = nn.Parameter(torch.empty(num_nodes, d_node))
        self.time_embedding = nn.Parameter(torch.empty(steps_per_day, d_tod))
        nn.init.xavier_uniform_(self.node_embedding)
        nn.init.xavier_uniform_(self.time_embedding)
        self.sizes = (d_in, d_node, d_tod)
        self.output_dim = d_in + d_node + d_tod

    def factors(self, weight: Tensor) -> InputFactors:
        """Factors of ``forward(value, tod) @ weight`` (``weight`` ``(output_dim, C)``): see :class:`InputFactors`."""
        w_value, w_node, w_time = weight.split(self.sizes)
        return InputFactors(
            self.input_proj.weight[:, 0] @ w_value,
            self.input_proj.bias @ w_value + self.node_embedding @ w_node,
            self.time_embedding @ w_time,
        )

    def forward(self, value: Tensor, tod: Tensor) -> Tensor:
        """``value`` ``(B, ..., N)`` scaled readings, ``tod`` ``(B, ...)`` slot ids -> ``(B, ..., N, D)``."""
        proj = self.input_proj(value.unsqueeze(-1))
        node = self.node_embedding.expand(*value.shape, -1)
        time = self.time_embedding[tod].unsqueeze(-2).expand(*value.shape, -1)
        return torch.cat((proj, node, time), dim=-1)


class GCRUEncoder(Encoder):
    """ST-SSDL's encoder: STE input embedding + one GCRU layer over the static graph.

    ``recompute=True`` checkpoints each recurrent step (activation memory ``O(B N H)`` per step
    instead of every gate's intermediates, for about a third more compute).

    ``forward(batch)`` reads ``x`` ``(B, T, N)`` (scaled) and ``tod_x`` ``(B, T)``, and returns the
    last hidden state per node (``"nodes"``, ``(B, N, H)``) and its node mean (``"pooled"``).
    """

    def __init__(
        self,
        embedding: STEmbedding,
        support: Tensor,
        hidden: int,
        cheb_k: int = 3,
        recompute: bool | None = False,
    ) -> None:
        super().__init__()
        self.recompute = bool(recompute)  # None (auto) starts off; STSSDLNet sets it at the first batch
        self.embedding = embedding
        dense_t = support.to_dense().t() if support.layout != torch.strided else support.t()
        self.sparse = support.layout == torch.sparse_csr
        for name, matrix in (("support", support), ("support_t", dense_t.contiguous())):
            if self.sparse:  # CSR parts as plain buffers: deep-copyable and moved by .to()
                csr = matrix.to_sparse_csr()
                parts: tuple[Tensor, ...] = (csr.crow_indices(), csr.col_indices(), csr.values())
            else:
                parts = (matrix,)
            for i, part in enumerate(parts):
                self.register_buffer(f"{name}_{i}", part.clone(), persistent=False)
        self.cell = GCRUCell(embedding.output_dim, hidden, cheb_k)
        self.output_dim = hidden

    def _matrix(self, name: str) -> Tensor:
        if not self.sparse:
            return getattr(self, f"{name}_0")
        crow, col, val = (getattr(self, f"{name}_{i}") for i in range(3))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(crow, col, val, (len(crow) - 1, len(crow) - 1))

    def encode(self, value: Tensor, tod: Tensor) -> Tensor:
        """Last hidden state ``(B, N, H)`` of the GRU run over ``T`` steps."""
        factors = self.cell.input_factors(self.embedding)
        dtype = compute_dtype(value)
        dense = self.sparse and (dtype in (torch.bfloat16, torch.float16) or self.cell.fused)
        propagate = static_propagator(
            self._matrix("support"), self._matrix("support_t"), dense=dtype if dense else None
        )
        shape = (value.shape[2], value.shape[0], self.cell.hidden)  # (N, B, H): node-major
        state = value.new_zeros(shape, dtype=dtype)
        for t in range(value.shape[1]):
            step = FactoredInput(value[:, t], tod[:, t], factors, node_major=True)
            state = self.cell.step(step, state, propagate, self.recompute)
        return state.transpose(0, 1)

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        nodes = self.encode(batch["x"], batch["tod_x"])
        return {POOLED: nodes.mean(dim=1), "nodes": nodes}
