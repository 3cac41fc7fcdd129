"""A small per-view MLP encoder over a fixed-size window (one per frame-projection view).

"Learning Without Augmenting" (frame projections) gives each domain (time, Fourier, wavelet) its own
encoder; :class:`~ssl_core.methods.TwoViewMethod` takes them as ``{view key: encoder}``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from torch import Tensor

from ssl_core.interfaces import POOLED, Encoder
from ssl_core.nn import MLP


class WindowEncoder(Encoder):
    """Flattens ``batch[key]`` of shape ``(B, *input_shape)`` and applies an MLP with layer norm.

    Args:
        key: the tensor of the view to encode.
        input_shape: per-sample shape of that tensor.
        dim: output dimension.
        hidden: hidden width (two hidden layers).
    """

    def __init__(self, key: str, input_shape: Sequence[int], dim: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.key, self.output_dim = key, dim
        self.input_shape = tuple(int(s) for s in input_shape)
        self.mlp = MLP([math.prod(self.input_shape), hidden, hidden, dim], norm="layer", act="gelu")

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        x = batch.get(self.key)
        if x is None:
            raise KeyError(f"WindowEncoder: batch has no {self.key!r} (keys: {sorted(batch)})")
        if tuple(x.shape[1:]) != self.input_shape:
            raise ValueError(
                f"WindowEncoder: {self.key!r} has per-sample shape {tuple(x.shape[1:])}, "
                f"expected {self.input_shape}"
            )
        return {POOLED: self.mlp(x.flatten(1).float())}
