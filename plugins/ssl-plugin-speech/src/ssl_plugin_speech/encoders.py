"""Networks: the TERA transformer encoder and the voice-conversion content/acoustic/discriminator nets.

* :class:`TERAEncoder` - Liu, Li, Lee, "TERA: Self-Supervised Learning of Transformer Encoder
  Representation for Speech", IEEE/ACM TASLP 2021 (s3prl ``TransformerModel``): a linear input
  projection of the log-mel frames plus fixed sinusoidal positions, LayerNorm and dropout, then
  post-LN transformer layers with GELU. :class:`SpecHead` is its 2-layer prediction head.
* :class:`ContentEncoder`, :class:`AcousticModel`, :class:`FrameDiscriminator` - the any-to-one
  voice-conversion networks of Zhao, Wang, Chao, Wu, Meng, "Adversarial speaker disentanglement
  using unannotated external data for self-supervised representation based voice conversion",
  ICME 2023 (arXiv 2305.09167): content encoder over SSL features, acoustic model to the target
  speaker's mel, and discriminators on content embeddings and on mels.
"""

from __future__ import annotations

from collections.abc import Mapping

from torch import Tensor, nn

from ssl_core.interfaces import POOLED, TOKENS, Encoder
from ssl_core.nn import MLP, lengths_to_mask, masked_mean, sinusoidal_positions


def batch_mask(batch: Mapping[str, Tensor], key: str = "features") -> Tensor | None:
    """Valid-frame mask ``(B, T)`` of ``batch[key]`` from ``batch["n_frames"]`` (None when absent)."""
    if "n_frames" not in batch:
        return None
    return lengths_to_mask(batch["n_frames"], batch[key].shape[1])


class TERAEncoder(Encoder):
    """TERA's transformer encoder over normalised log-mel frames ``batch["features"]`` ``(B, T, F)``.

    Args:
        n_mels: input feature dimension.
        dim: hidden size (paper: 768; the embedded default uses 128).
        layers: transformer layers (paper: 3).
        heads: attention heads (paper: 12).
        ffn: feed-forward size (paper: 3072, i.e. 4 x dim).
        dropout: dropout (paper: 0.1 in the encoder).

    Returns ``{"tokens": (B, T, dim), "pooled": (B, dim)}`` (pooled = mean over valid frames).
    """

    def __init__(
        self,
        n_mels: int = 80,
        dim: int = 128,
        layers: int = 2,
        heads: int = 4,
        ffn: int = 512,
        dropout: float = 0.1,
    ) -> None:
        super().__init__()
        self.output_dim = dim
        self.proj = nn.Linear(n_mels, dim)
        self.norm = nn.LayerNorm(dim)
        self.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(dim, heads, ffn, dropout, activation="gelu", batch_first=True)
        self.layers = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)

    def hidden_states(self, batch: Mapping[str, Tensor], upto: int | None = None) -> list[Tensor]:
        """``[input embedding, output of layer 1, ..., output of layer L]``, each ``(B, T, dim)``.

        With ``upto`` only the first ``upto`` layers run (the list then ends at layer ``upto``).
        """
        feats = batch["features"]
        mask = batch_mask(batch)
        pad = None if mask is None else ~mask
        pos = sinusoidal_positions(feats.shape[1], self.output_dim, device=feats.device, dtype=feats.dtype)
        states = [self.drop(self.norm(self.proj(feats) + pos))]
        for layer in list(self.layers.layers)[:upto]:
            states.append(layer(states[-1], src_key_padding_mask=pad))
        return states

    def forward(self, batch: Mapping[str, Tensor]) -> dict[str, Tensor]:
        h = self.hidden_states(batch)[-1]
        return {TOKENS: h, POOLED: masked_mean(h, batch_mask(batch), dim=1)}


class SpecHead(nn.Module):
    """TERA's prediction head: ``Linear -> GELU -> LayerNorm -> Linear`` back to ``n_mels``."""

    def __init__(self, dim: int, n_mels: int = 80) -> None:
        super().__init__()
        self.mlp = MLP([dim, dim, n_mels], norm="layer", act="gelu")

    def forward(self, tokens: Tensor) -> Tensor:
        return self.mlp(tokens)


class ConvStack(nn.Module):
    """1-d convolutions over time on ``(B, T, C)`` with GELU and residual connections where shapes allow."""

    def __init__(self, dims: list[int], kernel: int = 5, dropout: float = 0.0) -> None:
        super().__init__()
        self.convs = nn.ModuleList(
            nn.Conv1d(a, b, kernel, padding=kernel // 2) for a, b in zip(dims[:-1], dims[1:])
        )
        self.drop = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        h = x.transpose(1, 2)
        for i, conv in enumerate(self.convs):
            out = conv(h)
            if i < len(self.convs) - 1:
                out = self.drop(nn.functional.gelu(out))
            h = out + h if out.shape == h.shape else out
        return h.transpose(1, 2)


class ContentEncoder(nn.Module):
    """Content encoder ``(B, T, D_ssl) -> (B, T, content_dim)`` over SSL features (a narrow bottleneck)."""

    def __init__(self, in_dim: int, hidden: int = 128, content_dim: int = 32) -> None:
        super().__init__()
        self.net = ConvStack([in_dim, hidden, hidden, content_dim])

    def forward(self, feats: Tensor) -> Tensor:
        return self.net(feats)


class AcousticModel(nn.Module):
    """Acoustic model ``(B, T, content_dim) -> (B, T, n_mels)`` predicting the target speaker's normalised mel."""

    def __init__(self, content_dim: int = 32, hidden: int = 192, n_mels: int = 80, blocks: int = 4) -> None:
        super().__init__()
        self.net = ConvStack([content_dim] + [hidden] * blocks + [n_mels], dropout=0.1)

    def forward(self, content: Tensor) -> Tensor:
        return self.net(content)


class FrameDiscriminator(nn.Module):
    """Convolutional discriminator over a ``(B, T, C)`` sequence: per-frame logits ``(B, T)`` (or ``(B, T, classes)``).

    Used twice: on content embeddings (target speaker vs external speakers) and on mels (real
    target-speaker mels vs converted mels). ``kernel = 1`` makes it a per-frame MLP (it then sees
    exactly what a frame-level speaker probe sees); the default kernel 5 with 3 hidden layers sees
    17 frames.
    """

    optim_lr_scale: float = 1.0
    """Learning-rate multiplier read by :func:`ssl_core.optim.param_groups` (1: the scheduled rate)."""

    def __init__(
        self, in_dim: int, hidden: int = 128, layers: int = 3, classes: int = 1, kernel: int = 5
    ) -> None:
        super().__init__()
        if kernel < 1 or kernel % 2 == 0:
            raise ValueError(f"FrameDiscriminator: kernel must be odd and >= 1, got {kernel}")
        self.classes = classes
        self.net = ConvStack([in_dim] + [hidden] * layers + [classes], kernel=kernel)

    def forward(self, x: Tensor) -> Tensor:
        out = self.net(x)
        return out.squeeze(-1) if self.classes == 1 else out


class SpeakerEncoder(nn.Module):
    """Small utterance-level speaker encoder on log-mel (evaluation only: speaker-similarity cosine).

    Trained as a classifier over the training speakers; :meth:`embed` returns the L2-normalised
    pooled hidden state used for cosine similarity.
    """

    def __init__(self, n_mels: int = 80, hidden: int = 128, n_speakers: int = 4) -> None:
        super().__init__()
        self.net = ConvStack([n_mels, hidden, hidden, hidden], kernel=5)
        self.cls = nn.Linear(hidden, n_speakers)

    def embed(self, feats: Tensor, mask: Tensor | None = None) -> Tensor:
        return nn.functional.normalize(masked_mean(self.net(feats), mask, dim=1), dim=-1)

    def forward(self, feats: Tensor, mask: Tensor | None = None) -> Tensor:
        return self.cls(masked_mean(self.net(feats), mask, dim=1))


__all__ = [
    "AcousticModel",
    "ContentEncoder",
    "ConvStack",
    "FrameDiscriminator",
    "SpecHead",
    "SpeakerEncoder",
    "TERAEncoder",
    "batch_mask",
]
