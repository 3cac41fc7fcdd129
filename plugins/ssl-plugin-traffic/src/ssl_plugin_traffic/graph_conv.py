"""Graph propagation and the Chebyshev graph convolution of ST-SSDL's GCRU (Gao et al., NeurIPS 2025).

Clenshaw's recurrence on the *projected* features (see :mod:`ssl_plugin_traffic.encoders`):
``sum_k T_k(A) X W_k`` with ``cheb_k - 1`` propagations; static graphs as a CSR matrix on node-major
tensors, per-sample dense graphs with ``bmm``; ``compute_dtype`` keeps bf16 autocast in bf16.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

__all__ = [
    "ChebGraphConv",
    "Propagate",
    "chebyshev_combine",
    "compute_dtype",
    "dynamic_propagator",
    "static_propagator",
]

Propagate = Callable[[Tensor], Tensor]


class _StaticPropagate(torch.autograd.Function):
    """``A @ X`` for a constant ``A`` whose backward ``A^T @ G`` saves no activation."""

    @staticmethod
    def forward(ctx, x: Tensor, support: Tensor, support_t: Tensor) -> Tensor:  # type: ignore[override]
        ctx.support_t = support_t
        return support @ x

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor, None, None]:  # type: ignore[override]
        return ctx.support_t @ grad, None, None


def _dense(support: Tensor, support_t: Tensor, dtype: torch.dtype) -> tuple[Tensor, Tensor]:
    """Dense copies of ``A`` and ``A^T`` in ``dtype``."""
    return support.to_dense().to(dtype), support_t.to_dense().to(dtype)


def static_propagator(
    support: Tensor, support_t: Tensor | None = None, *, dense: torch.dtype | None = None
) -> Propagate:
    """Propagation ``A @ X`` over node-major ``X`` of shape ``(N, B, C)`` (``support`` sparse or dense).

    ``support_t`` (``A^T``, computed when omitted) serves the backward pass, which keeps no input.
    ``dense``: propagate with dense copies of the supports in that dtype, made here once -- what a
    reduced-precision input needs anyway (made at its first call otherwise) and what ``torch.compile``
    needs (it cannot trace CSR tensors).
    """
    if support_t is None:
        support_t = support.to_dense().t().contiguous() if support.layout != torch.strided else support.t()
        support_t = support_t.to_sparse_csr() if support.layout == torch.sparse_csr else support_t
    if dense is not None:
        support, support_t = _dense(support, support_t, dense)

    reduced: dict[torch.dtype, tuple[Tensor, Tensor]] = {}

    def propagate(x: Tensor) -> Tensor:
        flat = x.reshape(x.shape[0], -1)
        if x.dtype in (torch.bfloat16, torch.float16) and support.dtype != x.dtype:
            # sparse kernels have no reduced-precision path; a dense reduced-precision product is
            # faster than a cast to the sparse support's dtype and back (``N x N`` is small)
            if x.dtype not in reduced:
                reduced[x.dtype] = _dense(support, support_t, x.dtype)
            pair = reduced[x.dtype]
        else:
            flat, pair = flat.to(support.dtype), (support, support_t)
        with torch.autocast(x.device.type, enabled=False):
            out = _StaticPropagate.apply(flat, *pair)
        return out.view(x.shape).to(x.dtype)

    return propagate


def dynamic_propagator(support: Tensor) -> Propagate:
    """Propagation with a per-sample graph ``(B, N, N)`` over ``X`` of shape ``(B, N, C)``."""
    return lambda x: torch.bmm(support, x)


def chebyshev_combine(y: Tensor, propagate: Propagate, cheb_k: int) -> Tensor:
    """``sum_k T_k(A) y[..., k, :]`` by Clenshaw's recurrence (``y``: ``(..., cheb_k, C)``).

    ``unbind`` (one stacked gradient in backward) rather than ``cheb_k`` selects (each of whose
    backward zero-fills a tensor the size of ``y``); the factor 2 and the subtraction are fused.
    """
    parts = y.unbind(-2)
    if cheb_k == 1:
        return parts[0]
    # a contiguous copy: a propagation that saves its input must not keep all of ``y`` alive
    b_next = parts[cheb_k - 1].contiguous()
    b_next2: Tensor | None = None
    for k in range(cheb_k - 2, 0, -1):
        b_k = torch.add(parts[k], propagate(b_next), alpha=2)
        if b_next2 is not None:
            b_k = b_k.sub_(b_next2)
        b_next, b_next2 = b_k, b_next
    out = torch.add(parts[0], propagate(b_next))
    return out.sub_(b_next2) if b_next2 is not None else out


def compute_dtype(x: Tensor) -> torch.dtype:
    """The autocast dtype of ``x``'s device for a float32 ``x`` when autocast is on there, else ``x.dtype``."""
    device = x.device.type
    if x.dtype == torch.float32 and torch.is_autocast_enabled(device):
        return torch.get_autocast_dtype(device)
    return x.dtype


class ChebGraphConv(nn.Module):
    """Chebyshev graph convolution ``sum_k T_k(A) X W_k + b`` (the official ``AGCN`` block).

    The weight is initialised like the official code: Xavier-normal over the stacked
    ``(cheb_k * dim_in, dim_out)`` matrix, zero bias.
    """

    def __init__(self, dim_in: int, dim_out: int, cheb_k: int = 3) -> None:
        super().__init__()
        self.cheb_k, self.dim_out = cheb_k, dim_out
        weight = torch.empty(cheb_k * dim_in, dim_out)
        nn.init.xavier_normal_(weight)
        # stored as (dim_in, cheb_k * dim_out): one GEMM gives every Y_k
        self.weight = nn.Parameter(weight.view(cheb_k, dim_in, dim_out).permute(1, 0, 2).reshape(dim_in, -1))
        self.bias = nn.Parameter(torch.zeros(dim_out))

    def forward(self, x: Tensor, propagate: Propagate) -> Tensor:
        """``x``: ``(..., dim_in)`` laid out as ``propagate`` expects."""
        return self.combine(x @ self.weight, propagate)

    def combine(self, y: Tensor, propagate: Propagate) -> Tensor:
        """``sum_k T_k(A) y_k + b`` from the projected features ``y = x W`` ``(..., cheb_k * dim_out)``."""
        out = chebyshev_combine(y.unflatten(-1, (self.cheb_k, self.dim_out)), propagate, self.cheb_k)
        bias = self.bias.to(out.dtype)  # a mixed-dtype in-place add is several times slower
        return out.add_(bias) if self.cheb_k > 1 else out + bias  # in place on a fresh tensor
