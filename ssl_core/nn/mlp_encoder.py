"""``MLPEncoder``: an MLP over one fixed-size tensor of the batch (feature vectors, windows, frames).

The generic encoder of vector-shaped inputs: the core's ``core/synthetic`` recipe uses it on feature
vectors, and per-view set-ups (frame projections, where each view has its own encoder) pass one per
view to :class:`~ssl_core.methods.TwoViewMethod` as ``{view key: encoder}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from torch import Tensor

from ssl_core.interfaces import POOLED, Encoder
from ssl_core.nn.mlp import MLP, Act, Norm


class MLPEncoder(Encoder):
    """Flattens ``batch[key]`` of shape ``(B, *input_shape)`` and applies an MLP.

    Args:
        key: the tensor to encode.
        input_shape: per-sample shape of that tensor.
        dim: output dimension (``output_dim``).
        hidden: width of the hidden layers.
        depth: number of hidden layers.
        norm: normalisation after each hidden linear (``"layer"``, ``"batch"`` or ``None``).
        act: hidden activation (``"gelu"`` or ``"relu"``).
    """

    def __init__(
        self,
        key: str,
        input_shape: Sequence[int],
        dim: int = 64,
        hidden: int = 128,
        *,
        depth: int = 2,
        norm: Norm = "layer",
        act: Act = "gelu",
    ) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f"MLPEncoder: depth must be >= 1, got {depth}")
        self.key, self.output_dim = key, dim
        self.input_shape = tuple(int(s) for s in input_shape)
        self.mlp = MLP([math.prod(self.input_shape), *[hidden] * depth, dim], norm=norm, act=act)

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        x = batch.get(self.key)
        if x is None:
            raise KeyError(f"MLPEncoder: batch has no {self.key!r} (keys: {sorted(batch)})")
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(
                f"MLPEncoder: {self.key!r} has per-sample shape {tuple(x.shape[1:])}, "
                f"expected {self.input_shape}"
            )
        return {POOLED: self.mlp(x.flatten(1).float())}
