"""Uni4Eye as an SSL module (Cai et al., "Uni4Eye", MICCAI 2022, arXiv 2203.04614).

One step: pick the step's dimensionality, augment (:mod:`~ssl_plugin_medical.views`), normalise with
the training statistics, embed all patches with the unified patch embedding, mask 75% of them
(MAE, He et al., 2022) and encode **only the visible ones** with the shared ViT blocks; the decoder
puts mask tokens back, adds its own per-dimensionality position table and runs shared decoder blocks;
two prediction heads per dimensionality (the dual-branch decoder) regress the masked patches' pixels
and their Sobel gradient map (:mod:`~ssl_plugin_medical.gradients`); the loss is
:class:`~ssl_plugin_medical.objectives.DualBranchLoss`.

**2D / 3D schedule.** A joint batch holds images and volumes; even steps train on the images, odd
steps on the volumes (the first ``batch_3d`` of them). Uni4Eye++ alternates whole epochs of its 2D
and 3D loaders; alternating steps keeps the choice a pure function of the step (exact resume) and
balances the two dimensionalities in short runs. A batch never mixes them: the two inputs have
different token counts and position tables, so mixing would need padding for no benefit.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import Tensor, nn

from ssl_core.interfaces import Batch, SSLModule, StepOutput, ViewGenerator
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.data import MedicalData
from ssl_plugin_medical.encoders import KEYS, UnifiedViT, input_of, transformer
from ssl_plugin_medical.gradients import gradient_map
from ssl_plugin_medical.masking import random_masking, take
from ssl_plugin_medical.objectives import DualBranchLoss
from ssl_plugin_medical.patches import grid_positions, patchify
from ssl_plugin_medical.views import Uni4EyeAugment, unit_range


class Uni4Eye(SSLModule):
    """The masked image model: :class:`UnifiedViT` encoder, shared decoder, dual heads per dimensionality.

    Args:
        encoder: the unified ViT (its ``embed.dims`` fixes which heads exist).
        views: the augmentation (:class:`~ssl_plugin_medical.views.Uni4EyeAugment`).
        objective: the dual-branch loss.
        dec_dim, dec_depth, dec_heads: the decoder.
        mask_ratio: share of masked patches (0.75).
        stats: ``{ndim: (mean, std)}`` of the ``[0, 1]`` training intensities (kept as buffers).
        batch_3d: at most this many volumes per 3D step (Uni4Eye++ uses 8 volumes vs 64 images).
    """

    def __init__(
        self, encoder: UnifiedViT, views: ViewGenerator, objective: DualBranchLoss, *, dec_dim: int = 32,
        dec_depth: int = 1, dec_heads: int = 4, mask_ratio: float = 0.75,
        stats: Mapping[int, tuple[float, float]] | None = None, batch_3d: int | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.encoder, self.views, self.objective = encoder, views, objective
        self.mask_ratio, self.batch_3d, self.step = float(mask_ratio), batch_3d, 0
        emb = encoder.embed
        self.decoder_embed = nn.Linear(encoder.output_dim, dec_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dec_dim))
        self.decoder = transformer(dec_dim, dec_depth, dec_heads)
        self.decoder_norm = nn.LayerNorm(dec_dim)
        self.heads = nn.ModuleDict()
        for d in emb.dims:
            self.register_buffer(
                f"dec_pos_{d}d", grid_positions(emb.grid(d), dec_dim)[None], persistent=False
            )
            for branch in ("img", "grad"):
                self.heads[f"{branch}_{d}d"] = nn.Linear(dec_dim, emb.patch(d) ** d)
            mean, std = (stats or {}).get(d, (0.0, 1.0))
            self.register_buffer(f"stat_{d}d", torch.tensor([mean, std], dtype=torch.float32))
        torch.nn.init.normal_(self.mask_token, std=0.02)

    def set_step(self, step: int, total_steps: int) -> None:
        """Record the step: it picks the dimensionality of a joint batch (``StepAware``)."""
        self.step = int(step)

    def normalise(self, x01: Tensor) -> Tensor:
        """``(x - mean) / std`` with the training statistics of ``x01``'s dimensionality."""
        stat = getattr(self, f"stat_{x01.dim() - 2}d")
        return (x01 - stat[0]) / stat[1]

    def select(self, batch: Batch) -> Batch:
        """The step's single-dimensionality batch (``{"image": ...}`` or ``{"volume": ...}``)."""
        present = [k for d, k in KEYS.items() if k in batch and d in self.encoder.embed.dims]
        if not present:
            raise KeyError(f"Uni4Eye: the batch holds none of {[KEYS[d] for d in self.encoder.embed.dims]}")
        key = present[self.step % len(present)]
        x = batch[key]
        if key == "volume" and self.batch_3d is not None:
            x = x[: self.batch_3d]
        return {key: x}

    def reconstruct(self, x01: Tensor, generator: torch.Generator | None = None) -> dict[str, Tensor]:
        """Mask, encode the visible patches, decode: predictions, targets, mask and visible latents."""
        ndim = x01.dim() - 2
        patch = self.encoder.embed.patch(ndim)
        inp = self.normalise(x01)
        tokens = self.encoder.embed(inp)
        masking = random_masking(tokens.shape[0], tokens.shape[1], self.mask_ratio, generator, tokens.device)
        latent = self.encoder.encode_tokens(take(tokens, masking.keep))
        dec = self.decoder_embed(latent)
        fill = self.mask_token.expand(dec.shape[0], tokens.shape[1] - dec.shape[1], -1)
        full = take(torch.cat([dec, fill], dim=1), masking.restore) + getattr(self, f"dec_pos_{ndim}d")
        h = self.decoder_norm(self.decoder(full))
        return {
            "pred_img": self.heads[f"img_{ndim}d"](h),
            "pred_grad": self.heads[f"grad_{ndim}d"](h),
            "target_img": patchify(inp, patch),
            "target_grad": patchify(gradient_map(x01.clamp(0.0, 1.0)), patch),
            "mask": masking.mask,
            "latent": latent,
        }

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        view = self.views(self.select(batch), generator)["aug"]
        x01 = input_of(view)
        out = self.reconstruct(x01, generator)
        loss = self.objective(
            out["pred_img"], out["target_img"], out["pred_grad"], out["target_grad"], out["mask"]
        )
        tag = f"{x01.dim() - 2}d"
        metrics = {"loss/img": loss.metrics["img"], "loss/grad": loss.metrics["grad"],
                   f"loss/{tag}": loss.loss.detach()}  # fmt: skip
        return StepOutput(loss.loss, metrics, out["latent"].mean(dim=1).detach())

    @torch.no_grad()
    def embed(self, batch: Batch) -> Tensor:
        """Mean patch token of the unmasked image or volume (uint8 0-255 or float in ``[0, 1]``)."""
        key = next((k for k in ("image", "volume") if k in batch), None)
        if key is None:
            raise KeyError(f"Uni4Eye.embed: the batch holds no 'image' or 'volume' (keys {sorted(batch)})")
        return self.encoder({key: self.normalise(unit_range(batch[key]))})["pooled"]


def build_uni4eye(
    args: Uni4EyeArgs, dims: tuple[int, ...], stats: Mapping[int, tuple[float, float]] | None = None
) -> Uni4Eye:
    """A :class:`Uni4Eye` for ``dims`` sized by ``args``."""
    encoder = UnifiedViT(
        args.dim, args.depth, args.heads, patch=args.patch, size=args.size, dims=dims, patch_3d=args.patch_3d
    )
    views = Uni4EyeAugment(noise_std=args.noise_std)
    objective = DualBranchLoss(args.grad_weight, args.norm_pix)
    return Uni4Eye(encoder, views, objective, dec_dim=args.dec_dim, dec_depth=args.dec_depth, dec_heads=args.dec_heads,
                   mask_ratio=args.mask_ratio, stats=stats, batch_3d=args.batch_3d)  # fmt: skip


def build_module(args: Uni4EyeArgs, data: MedicalData) -> Uni4Eye:
    """The recipe's module phase: the dimensionalities and statistics of the prepared data."""
    return build_uni4eye(args, data.dims, data.stats)
