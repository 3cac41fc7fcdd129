"""GenEVBattery as an SSL module (Arunan, Qin, Li, Tan, Poor, Yuen, "Learning More with Less",
IEEE TII 2025, arXiv 2510.05172), with SimMTM's mechanics (Dong et al., NeurIPS 2023).

One step: K masked copies of each snippet (core geometric masking); every copy and the original is
normalised per instance and channel over its unmasked points; the BiLSTM gives point-wise features,
the projector snippet vectors; the multi-positive contrastive loss and the similarity-weighted masked
reconstruction of the originals are combined by learned uncertainty weighting (core). ``loss`` selects
the ablations: ``reconstruction`` (SimMTM reconstruction only) or ``contrastive`` (contrastive only).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import TOKENS, Batch, SSLModule, StepOutput
from ssl_core.objectives import UncertaintyWeighting
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.encoders import (
    BiLSTMEncoder,
    ReconstructionHead,
    RegressionModel,
    SnippetProjector,
    instance_norm,
)
from ssl_plugin_battery.objectives import MultiPositiveContrastive, SimilarityWeightedReconstruction
from ssl_plugin_battery.views import genev_views

LOSSES = {"full": ("contrastive", "reconstruction"), "reconstruction": ("reconstruction",),
          "contrastive": ("contrastive",)}  # fmt: skip


class GenEV(SSLModule):
    """BiLSTM + projector + reconstruction head trained with GenEV's losses on ``batch["x"]`` ``(B, T, C)``.

    Args:
        channels, length: snippet channels C and steps T.
        hidden, layers, proj_dim: encoder and projector sizes.
        num_views, mask_ratio, mask_length, tau: SimMTM views and temperature.
        loss: ``full``, ``reconstruction`` or ``contrastive``.
    """

    batch_coupled = True

    def __init__(
        self, channels: int, length: int, *, hidden: int = 32, layers: int = 1, proj_dim: int = 128,
        num_views: int = 3, mask_ratio: float = 0.5, mask_length: float = 3.0, tau: float = 0.2,
        loss: str = "full",
    ) -> None:  # fmt: skip
        super().__init__()
        self.channels, self.length, self.losses = channels, length, LOSSES[loss]
        self.views = genev_views(num_views, mask_ratio, mask_length)
        self.encoder = BiLSTMEncoder(channels, hidden, layers)
        self.projector = SnippetProjector(length, self.encoder.output_dim, proj_dim)
        self.contrastive = MultiPositiveContrastive(num_views, tau)
        self.reconstruction = SimilarityWeightedReconstruction(
            ReconstructionHead(length, self.encoder.output_dim, channels), tau
        )
        self.weighting = UncertaintyWeighting(self.losses)

    def _encode(self, x: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor, Tensor]:
        """``(normalised x, point-wise features, snippet vectors)``."""
        xn, _, _ = instance_norm(x, mask)
        tokens = self.encoder({"x": xn})[TOKENS]
        return xn, tokens, self.projector(tokens)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        views = self.views(batch, generator)
        x = torch.cat([v["x"] for v in views.values()])
        original = views["original"]["x"]
        masks = [torch.zeros_like(original, dtype=torch.bool)] + [
            v["mask"] for k, v in views.items() if k != "original"
        ]
        xn, tokens, s = self._encode(x, torch.cat(masks))
        named = {}
        if "contrastive" in self.losses:
            named["contrastive"] = self.contrastive(s).loss
        if "reconstruction" in self.losses:
            named["reconstruction"] = self.reconstruction(s, tokens, xn[: original.shape[0]]).loss
        out = self.weighting(named)
        return StepOutput(out.loss, out.metrics, embeddings=s[: original.shape[0]].detach())

    @torch.no_grad()
    def embed(self, batch: Batch) -> Tensor:
        """The snippet vector ``(B, proj_dim)`` of unmasked snippets."""
        return self._encode(batch["x"])[2]

    def regression_model(self) -> RegressionModel:
        """Encoder + projector (this module's, shared) + a new linear head: the fine-tuning model."""
        return RegressionModel(self.encoder, self.projector, self.channels)


def build_genev(args: GenEVArgs, channels: int) -> GenEV:
    """A GenEV module sized by ``args`` for ``channels``-channel snippets of ``args.window`` steps."""
    return GenEV(
        channels, args.window, hidden=args.hidden, layers=args.layers, proj_dim=args.proj_dim,
        num_views=args.num_views, mask_ratio=args.mask_ratio, mask_length=args.mask_length,
        tau=args.tau, loss=args.loss,
    )  # fmt: skip
