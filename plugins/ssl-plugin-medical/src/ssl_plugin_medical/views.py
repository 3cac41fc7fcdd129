"""Uni4Eye's augmentations, in torch ops (no torchvision), drawn from the step's generator.

Cai et al., "Uni4Eye", MICCAI 2022, and the Uni4Eye++ code (``main_pretrain_partial23D.py``):

* 2D: ``RandomResizedCrop`` (area scale 0.2-1, aspect ratio 3/4-4/3, back to the input size, bilinear)
  and a horizontal flip with p = 0.5. The code's ``RandomGrayscale(p=0.2)`` is the identity here:
  every loader already gives one grayscale channel (RGB is converted to luminance on load).
* 3D: a flip on each of the 3 axes with p = 0.5 and additive Gaussian noise (``noise_std``, on the
  ``[0, 1]`` intensity scale). Cropping to the non-zero box and resizing happen once, on load.

Inputs are ``"image"`` ``(B, 1, H, W)`` and / or ``"volume"`` ``(B, 1, D, H, W)``, uint8 (0-255) or float
in ``[0, 1]``; the single view ``"aug"`` holds float images in ``[0, 1]`` (plus noise for volumes).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views


def unit_range(x: Tensor) -> Tensor:
    """uint8 0-255 -> float ``[0, 1]``; float input is returned as float32 unchanged."""
    return x.float() / 255.0 if x.dtype == torch.uint8 else x.float()


def _uniform(n: int, low: float, high: float, gen: torch.Generator | None, device: torch.device) -> Tensor:
    return torch.rand(n, generator=gen, device=device) * (high - low) + low


def random_resized_crop(
    images: Tensor,
    gen: torch.Generator | None,
    scale: tuple[float, float] = (0.2, 1.0),
    ratio: tuple[float, float] = (3 / 4, 4 / 3),
    hflip: float = 0.5,
) -> Tensor:
    """Per-sample random resized crop (+ horizontal flip) of ``(B, C, H, W)`` back to ``(H, W)``.

    A crop covers ``s ~ U(scale)`` of the area with aspect ``exp(U(log ratio))`` at a uniform position;
    a crop that does not fit becomes the whole image (torchvision's fallback after 10 rejections, without
    the retries).
    """
    b, dev = images.shape[0], images.device
    area = _uniform(b, *scale, gen, dev)
    log_r = _uniform(b, math.log(ratio[0]), math.log(ratio[1]), gen, dev)
    w, h = (area * log_r.exp()).sqrt(), (area / log_r.exp()).sqrt()
    over = (w > 1) | (h > 1)  # torchvision's fallback after its rejections: the whole image
    w, h = torch.where(over, 1.0, w), torch.where(over, 1.0, h)
    cx = (torch.rand(b, generator=gen, device=dev) * 2 - 1) * (1 - w)
    cy = (torch.rand(b, generator=gen, device=dev) * 2 - 1) * (1 - h)
    flip = torch.where(torch.rand(b, generator=gen, device=dev) < hflip, -1.0, 1.0)
    theta = torch.zeros(b, 2, 3, device=dev)
    theta[:, 0, 0], theta[:, 0, 2] = w * flip, cx
    theta[:, 1, 1], theta[:, 1, 2] = h, cy
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="border", align_corners=False)


def random_flips_3d(volumes: Tensor, gen: torch.Generator | None, p: float = 0.5) -> Tensor:
    """Flip each ``(B, C, D, H, W)`` volume along each spatial axis with probability ``p``."""
    out = volumes
    for axis in (2, 3, 4):
        flip = torch.rand(volumes.shape[0], generator=gen, device=volumes.device) < p
        shape = (-1,) + (1,) * (volumes.dim() - 1)
        out = torch.where(flip.view(shape), out.flip(axis), out)
    return out


class Uni4EyeAugment(ViewGenerator):
    """One augmented view ``"aug"`` of the batch's image and / or volume (see the module docstring)."""

    view_names = ("aug",)

    def __init__(self, noise_std: float = 0.05, crop_scale: tuple[float, float] = (0.2, 1.0)) -> None:
        if noise_std < 0 or not 0 < crop_scale[0] <= crop_scale[1] <= 1:
            raise ValueError(f"noise_std must be >= 0 and 0 < crop_scale <= 1, got {noise_std}, {crop_scale}")
        self.noise_std, self.crop_scale = float(noise_std), (float(crop_scale[0]), float(crop_scale[1]))

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        view: dict[str, Tensor] = {}
        if "image" in batch:
            view["image"] = random_resized_crop(unit_range(batch["image"]), generator, self.crop_scale)
        if "volume" in batch:
            vol = random_flips_3d(unit_range(batch["volume"]), generator)
            if self.noise_std > 0:
                noise = torch.randn(vol.shape, generator=generator, device=vol.device)
                vol = vol + self.noise_std * noise
            view["volume"] = vol
        if not view:
            raise KeyError(f"Uni4EyeAugment: the batch holds no 'image' or 'volume' (keys {sorted(batch)})")
        return {"aug": view}
