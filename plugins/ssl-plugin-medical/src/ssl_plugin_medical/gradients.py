"""Uni4Eye's gradient-map target: a 5 x 5 Sobel filter, ``G = 0.5 |G_x| + 0.5 |G_y|``, computed on the fly.

Cai et al., "Uni4Eye: Unified 2D and 3D Self-supervised Pre-training via Masked Image Modeling
Transformer for Ophthalmic Image Classification", MICCAI 2022 (arXiv 2203.04614): the second decoder
branch reconstructs the gradient map of the masked patches. The Uni4Eye++ code computes it with
OpenCV's ``Sobel(ksize=5)`` on the 8-bit grayscale image, each ``|G|`` saturated to 8 bits
(``convertScaleAbs``), then ``addWeighted(0.5, 0.5)``. This module does the same with torch ops on
``[0, 1]`` images: the image is scaled to ``[0, 255]``, each absolute derivative is clipped at 255,
and the map is divided by 255 again. Borders are OpenCV's default ``BORDER_REFLECT_101`` (torch's
``reflect`` padding).

Volumes use the **per-slice** 2D Sobel: each axial slice (the first spatial axis) is filtered on its
own, as the paper's 2D formulation applied slice by slice (no derivative across slices).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

#: OpenCV's 5-tap derivative and smoothing kernels (``getDerivKernels(1, 0, 5)``).
DERIV_5 = (-1.0, -2.0, 0.0, 2.0, 1.0)
SMOOTH_5 = (1.0, 4.0, 6.0, 4.0, 1.0)


def sobel_kernels(dtype: torch.dtype = torch.float32, device: torch.device | str | None = None) -> Tensor:
    """The ``(2, 1, 5, 5)`` kernels: ``[0]`` the x derivative (along width), ``[1]`` the y derivative."""
    d = torch.tensor(DERIV_5, dtype=dtype, device=device)
    s = torch.tensor(SMOOTH_5, dtype=dtype, device=device)
    gx = torch.outer(s, d)  # smooth along rows (y), differentiate along columns (x)
    return torch.stack([gx, gx.t()])[:, None]


def gradient_map_2d(images: Tensor) -> Tensor:
    """``G`` of ``(B, 1, H, W)`` images in ``[0, 1]`` (H, W >= 3); same shape, values in ``[0, 1]``.

    Cross-correlation like ``cv2.filter2D`` / ``cv2.Sobel`` (no kernel flip).
    """
    if images.dim() != 4 or images.shape[1] != 1:
        raise ValueError(f"gradient_map_2d: expected (B, 1, H, W), got {tuple(images.shape)}")
    x = F.pad(images * 255.0, (2, 2, 2, 2), mode="reflect")
    g = F.conv2d(x, sobel_kernels(images.dtype, images.device))
    sat = g.abs().clamp(max=255.0)
    return (0.5 * sat[:, :1] + 0.5 * sat[:, 1:]) / 255.0


def gradient_map(x: Tensor) -> Tensor:
    """``G`` of images ``(B, 1, H, W)`` or, slice by slice, of volumes ``(B, 1, D, H, W)``."""
    if x.dim() == 4:
        return gradient_map_2d(x)
    if x.dim() != 5 or x.shape[1] != 1:
        raise ValueError(f"gradient_map: expected (B, 1, H, W) or (B, 1, D, H, W), got {tuple(x.shape)}")
    b, _, d, h, w = x.shape
    slices = x.permute(0, 2, 1, 3, 4).reshape(b * d, 1, h, w)
    return gradient_map_2d(slices).reshape(b, d, 1, h, w).permute(0, 2, 1, 3, 4)
