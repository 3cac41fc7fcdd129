"""Encoders of the template domain."""

from __future__ import annotations

from collections.abc import Mapping

from torch import Tensor, nn

from ssl_core.interfaces import POOLED, Encoder


class TemplateEncoder(Encoder):
    """A two-layer MLP over the ``"x"`` features of a batch.

    Args:
        in_dim: number of input features.
        hidden: hidden width.
        out_dim: representation size (``output_dim``).
        key: name of the input tensor in the batch.
    """

    def __init__(self, in_dim: int = 32, hidden: int = 64, out_dim: int = 32, key: str = "x") -> None:
        super().__init__()
        if min(in_dim, hidden, out_dim) < 1:
            raise ValueError(f"dimensions must be >= 1, got in={in_dim} hidden={hidden} out={out_dim}")
        self.output_dim, self.key = out_dim, key
        self.net = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.LayerNorm(hidden), nn.GELU(), nn.Linear(hidden, out_dim)
        )

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """``{"pooled": (B, out_dim)}``."""
        return {POOLED: self.net(batch[self.key])}
