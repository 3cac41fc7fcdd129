"""A multi-domain encoder for frame-projection views: one small MLP per view input key.

"Learning Without Augmenting" (frame projections) gives each domain (time, Fourier, wavelet) its
own encoder; views are told apart by the key holding their data (``"x"``, ``"fourier"``,
``"wavelet"``), so one :class:`~ssl_core.interfaces.Encoder` can serve a generic two-view method.
"""

from __future__ import annotations

from collections.abc import Mapping

from torch import Tensor, nn

from ssl_core.interfaces import POOLED, Encoder
from ssl_core.nn import MLP


class FrameEncoder(Encoder):
    """Encodes whichever of ``input_shapes``' keys the batch holds (first match in that order).

    Args:
        input_shapes: ``{key: (channels, length)}`` of each view's input (``(length,)`` for 1-channel).
        dim: output dimension.
        hidden: hidden width of each per-view MLP.
    """

    def __init__(self, input_shapes: Mapping[str, tuple[int, ...]], dim: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.output_dim = dim
        self.keys = tuple(input_shapes)
        sizes = {k: int(_prod(s)) for k, s in input_shapes.items()}
        self.encoders = nn.ModuleDict(
            {k: MLP([n, hidden, hidden, dim], norm="layer", act="gelu") for k, n in sizes.items()}
        )

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        for key in self.keys:
            if key in batch:
                return {POOLED: self.encoders[key](batch[key].flatten(1).float())}
        raise KeyError(f"FrameEncoder: batch has none of the view keys {self.keys} (keys: {sorted(batch)})")


def _prod(shape: tuple[int, ...]) -> int:
    out = 1
    for s in shape:
        out *= int(s)
    return out
