"""Locally aligned attention (Kim et al., AAAI 2021, section 3): context attends only to its own time span.

In the paper each subtitle sentence attends only to the frames inside its own time span. Here the
context of time bin ``t`` (its concept tokens) attends only to the frames ``t'`` with
``|t - t'| <= window``: :func:`local_window_mask` is that mask and :class:`LocalAlignedAttention`
the multi-head attention restricted to it (a query whose window holds no valid frame outputs zero).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def local_window_mask(n_frames: int, window: int, device: torch.device | None = None) -> Tensor:
    """``(T, T)`` bool: ``mask[t, t'] = |t - t'| <= window``."""
    pos = torch.arange(n_frames, device=device)
    return (pos[:, None] - pos[None, :]).abs() <= window


class LocalAlignedAttention(nn.Module):
    """Multi-head attention of per-bin context tokens to the frames within ``window`` bins.

    Args:
        dim: token width.
        heads: attention heads.
        window: half-width of the window in bins.

    ``forward(tokens (B, T, K, H), token_mask (B, T, K), frames (B, T, H), frame_mask (B, T))``
    returns ``(B, T, K, H)``: token ``(t, k)`` attends to ``frames[t']`` for valid ``t'`` in its window.
    """

    def __init__(self, dim: int, heads: int, window: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"LocalAlignedAttention: heads={heads} must divide dim={dim}")
        self.heads, self.window = heads, window
        self.q, self.k, self.v, self.out = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, tokens: Tensor, token_mask: Tensor, frames: Tensor, frame_mask: Tensor) -> Tensor:
        b, t, k, h = tokens.shape
        d = h // self.heads
        q = self.q(tokens).reshape(b, t * k, self.heads, d).transpose(1, 2)  # (B, nh, TK, d)
        key = self.k(frames).reshape(b, t, self.heads, d).transpose(1, 2)  # (B, nh, T, d)
        val = self.v(frames).reshape(b, t, self.heads, d).transpose(1, 2)
        allowed = local_window_mask(t, self.window, tokens.device).repeat_interleave(k, dim=0)  # (TK, T)
        allowed = allowed[None] & frame_mask[:, None, :]  # (B, TK, T)
        logits = (q @ key.transpose(-1, -2)) / d**0.5
        logits = logits.masked_fill(~allowed[:, None], float("-inf"))
        weights = torch.softmax(logits, dim=-1).nan_to_num(0.0)  # an empty window attends to nothing
        out = (weights @ val).transpose(1, 2).reshape(b, t, k, h)
        return self.out(out) * token_mask[..., None]
