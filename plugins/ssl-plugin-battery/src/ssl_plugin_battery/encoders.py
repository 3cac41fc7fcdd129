"""GenEVBattery's networks (Arunan et al., IEEE TII 2025; SimMTM mechanics, Dong et al., NeurIPS 2023).

* :func:`instance_norm`: per-instance, per-channel normalisation over the *unmasked* points of a snippet
  (SimMTM's RevIN-style step); masked points stay zero.
* :class:`BiLSTMEncoder`: a bidirectional LSTM over a ``(B, T, C)`` snippet giving point-wise features
  ``(B, T, 2 * hidden)`` (GenEV's encoder).
* :class:`SnippetProjector`: flatten -> Linear -> BatchNorm -> ReLU -> Linear -> 128-d snippet vector
  (SimMTM's pooler head).
* :class:`ReconstructionHead`: flatten -> Linear to ``T * C`` (SimMTM's reconstruction head).
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, Encoder

EPS = 1e-5


def instance_norm(x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
    """``(normalised x, mean, std)`` per instance and channel over unmasked points of ``(B, T, C)``.

    ``mask`` (True = masked) points are excluded from the statistics and set to 0 in the output;
    ``std = sqrt(var + 1e-5)`` so a constant channel (e.g. an unmeasured temperature) maps to 0.
    """
    keep = torch.ones_like(x) if mask is None else (~mask).to(x.dtype)
    count = keep.sum(dim=1, keepdim=True).clamp_min(1.0)
    mean = (x * keep).sum(dim=1, keepdim=True) / count
    var = ((x - mean) ** 2 * keep).sum(dim=1, keepdim=True) / count
    std = torch.sqrt(var + EPS)
    return (x - mean) / std * keep, mean, std


class BiLSTMEncoder(Encoder):
    """Bidirectional LSTM over ``batch["x"]`` ``(B, T, C)`` (already normalised): point-wise features.

    Returns ``{"tokens": (B, T, 2h), "pooled": (B, 2h)}`` (pooled = time mean, for monitors).

    Args:
        channels: input channels C.
        hidden: hidden size per direction h.
        layers: stacked LSTM layers.
    """

    def __init__(self, channels: int, hidden: int = 32, layers: int = 1) -> None:
        super().__init__()
        self.lstm = nn.LSTM(channels, hidden, num_layers=layers, batch_first=True, bidirectional=True)
        self.output_dim = 2 * hidden

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        tokens, _ = self.lstm(batch["x"])
        return {TOKENS: tokens, POOLED: tokens.mean(dim=1)}


class SnippetProjector(nn.Module):
    """Flatten ``(B, T, D)`` -> Linear(T*D, 2p) -> BatchNorm -> ReLU -> Linear(2p, p)."""

    def __init__(self, length: int, dim: int, out_dim: int = 128) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Flatten(1),
            nn.Linear(length * dim, 2 * out_dim),
            nn.BatchNorm1d(2 * out_dim),
            nn.ReLU(),
            nn.Linear(2 * out_dim, out_dim),
        )
        self.out_dim = out_dim

    def forward(self, tokens: Tensor) -> Tensor:
        return self.net(tokens)  # type: ignore[no-any-return]


class ReconstructionHead(nn.Module):
    """Flatten ``(B, T, D)`` -> Linear to ``(B, T, C)`` (normalised units)."""

    def __init__(self, length: int, dim: int, channels: int) -> None:
        super().__init__()
        self.length, self.channels = length, channels
        self.linear = nn.Linear(length * dim, length * channels)

    def forward(self, tokens: Tensor) -> Tensor:
        return self.linear(tokens.flatten(1)).view(-1, self.length, self.channels)


class RegressionModel(nn.Module):
    """Fine-tuning model: normalise, encode, project, then a linear head on the snippet vector and the
    normalisation statistics (mean and log-std per channel: the absolute level the normalisation removes).

    Args:
        encoder, projector: pretrained (or freshly initialised) networks, trained further.
        channels: input channels C.
    """

    def __init__(self, encoder: BiLSTMEncoder, projector: SnippetProjector, channels: int) -> None:
        super().__init__()
        self.encoder, self.projector = encoder, projector
        self.head = nn.Linear(projector.out_dim + 2 * channels, 1)

    def features(self, x: Tensor) -> Tensor:
        """The head's input ``(B, proj_dim + 2C)``: snippet vector, then mean and log-std per channel."""
        xn, mean, std = instance_norm(x)
        s = self.projector(self.encoder({"x": xn})[TOKENS])
        return torch.cat([s, mean.squeeze(1), std.squeeze(1).log()], dim=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.features(x)).squeeze(1)  # type: ignore[no-any-return]
