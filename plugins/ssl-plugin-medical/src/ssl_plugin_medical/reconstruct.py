"""``ssl-medical reconstruct``: the original, the mask, the pixel and the gradient-map reconstructions.

The model masks 75% of the patches (seeded), encodes the visible ones and its two decoder branches
predict the masked patches' pixels and Sobel gradient map (Uni4Eye, Cai et al., MICCAI 2022, Fig. 2).
Reconstructions show the visible patches as they are and the masked ones as predicted; a volume is
shown by its middle slice. The figure is written atomically with matplotlib (the ``plot`` extra) or,
without it, as a Pillow PNG strip.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ssl_core.utils import atomic_writer
from ssl_plugin_medical.gradients import gradient_map
from ssl_plugin_medical.method import Uni4Eye
from ssl_plugin_medical.patches import patchify, unpatchify

TITLES = ("original", "mask (visible)", "reconstruction", "gradient map", "gradient reconstruction")


@torch.no_grad()
def panels(model: Uni4Eye, item: Tensor, seed: int = 0) -> list[np.ndarray]:
    """The five 2D panels of one uint8 item ``(1, *S)``, each scaled to ``[0, 1]``."""
    model.eval()
    x01 = item[None].float() / 255.0
    out = model.reconstruct(x01, torch.Generator().manual_seed(seed))
    grid, patch = model.encoder.embed.grid(x01.dim() - 2), model.encoder.embed.patch(x01.dim() - 2)
    mask = out["mask"][..., None]
    stat = getattr(model, f"stat_{x01.dim() - 2}d")
    recon_img = out["target_img"] * (1 - mask) + out["pred_img"] * mask
    recon_img = unpatchify(recon_img, grid, patch) * stat[1] + stat[0]
    grad = gradient_map(x01)
    recon_grad = unpatchify(patchify(grad, patch) * (1 - mask) + out["pred_grad"] * mask, grid, patch)
    shown = unpatchify((1 - mask).expand(-1, -1, patch ** (x01.dim() - 2)), grid, patch) * x01
    imgs = [x01, shown, recon_img, grad, recon_grad]
    mid = lambda t: t[0, 0] if t.dim() == 4 else t[0, 0, t.shape[2] // 2]  # noqa: E731
    return [np.clip(mid(t).numpy(), 0.0, 1.0) for t in imgs]


def save_figure(images: list[np.ndarray], output: Path) -> None:
    """Write the panels side by side as a PNG (matplotlib when installed, else Pillow)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        from PIL import Image

        strip = np.concatenate([np.pad(a, 1, constant_values=1.0) for a in images], axis=1)
        img = Image.fromarray((strip * 255).round().astype(np.uint8)).resize(
            (strip.shape[1] * 4, strip.shape[0] * 4)
        )
        with atomic_writer(output) as fh:
            img.save(fh, format="PNG")
        return
    fig, axes = plt.subplots(1, len(images), figsize=(2.2 * len(images), 2.6))
    for ax, panel, title in zip(axes, images, TITLES):
        ax.imshow(panel, cmap="gray", vmin=0.0, vmax=1.0)
        ax.set_title(title, fontsize=8)
        ax.axis("off")
    fig.tight_layout()
    with atomic_writer(output) as fh:
        fig.savefig(fh, format="png", dpi=120)
    plt.close(fig)
