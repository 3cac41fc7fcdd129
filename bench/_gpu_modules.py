"""The three SSL workloads of ``bench/gpu_workloads.py``: sizes, SSLModules and their random batches.

The modules are built from ssl-core objectives (``NTXentLoss``, ``MaskedReconstructionLoss``) and the
backbones of ``bench/_models.py`` (no torchvision).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from _models import MAEViT, ResNet18, SpeechTransformer
from torch import Tensor, nn

from ssl_core.interfaces import Batch, SSLModule, StepOutput
from ssl_core.objectives import MaskedReconstructionLoss, NTXentLoss

FULL = {
    "simclr": dict(batch=512, img=32, width=64, hidden=2048, out=128),
    "mae": dict(
        batch=256, img=224, patch=16, dim=384, depth=12, heads=6, dec_dim=512, dec_depth=8, dec_heads=16
    ),
    "speech": dict(batch=32, frames=1000, n_mels=80, dim=768, layers=3, heads=12, ffn=3072),
}
SMOKE = {
    "simclr": dict(batch=8, img=16, width=8, hidden=32, out=16),
    "mae": dict(batch=4, img=32, patch=8, dim=32, depth=1, heads=2, dec_dim=32, dec_depth=1, dec_heads=2),
    "speech": dict(batch=4, frames=50, n_mels=16, dim=32, layers=1, heads=2, ffn=64),
}


def _rand(shape: tuple[int, ...], device: torch.device, generator: torch.Generator | None) -> Tensor:
    """Uniform noise from the engine's view generator (unseeded under torch.compile, like the reference)."""
    if generator is None or torch.compiler.is_compiling():
        return torch.rand(shape, device=device)
    return torch.rand(shape, device=device, generator=generator)


class SimCLR(SSLModule):
    """SimCLR (Chen et al., 2020): ResNet-18 + 2-layer projector, NT-Xent (tau 0.2) over two views."""

    batch_coupled = True

    def __init__(self, width: int, hidden: int, out: int, **_: Any) -> None:
        super().__init__()
        self.backbone = ResNet18(width)
        d = self.backbone.output_dim
        self.proj = nn.Sequential(
            nn.Linear(d, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Linear(hidden, out)
        )
        self.objective = NTXentLoss(temperature=0.2)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        h1, h2 = self.backbone(batch["x1"]), self.backbone(batch["x2"])
        out = self.objective(self.proj(h1), self.proj(h2))
        return StepOutput(out.loss, out.metrics, h1.detach())


class MAE(SSLModule):
    """MAE (He et al., 2022): 75 % random patch masking, MSE on normalised pixels of masked patches."""

    def __init__(self, ratio: float = 0.75, **sizes: Any) -> None:
        super().__init__()
        keys = ("img", "patch", "dim", "depth", "heads", "dec_dim", "dec_depth", "dec_heads")
        self.vit = MAEViT(**{k: sizes[k] for k in keys})
        self.keep = int(self.vit.num_patches * (1 - ratio))
        self.objective = MaskedReconstructionLoss(loss="mse", norm_targets=True)

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        imgs = batch["x"]
        noise = _rand((imgs.shape[0], self.vit.num_patches), imgs.device, generator)
        ids_restore = noise.argsort(1).argsort(1)
        ids_keep = noise.argsort(1)[:, : self.keep]
        pred, latent = self.vit(imgs, ids_keep, ids_restore)
        mask = ids_restore >= self.keep
        out = self.objective(pred.float(), self.vit.patchify(imgs).float(), mask)
        return StepOutput(out.loss, out.metrics, latent.mean(1).detach())


class SpeechMAM(SSLModule):
    """TERA-like masked acoustic model (Liu et al., 2021): 15 % of frames zeroed, L1 on them."""

    def __init__(self, n_mels: int, dim: int, layers: int, heads: int, ffn: int, **_: Any) -> None:
        super().__init__()
        self.net = SpeechTransformer(n_mels, dim, layers, heads, ffn)
        self.objective = MaskedReconstructionLoss(loss="l1")

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> StepOutput:
        mel = batch["x"]
        mask = _rand(tuple(mel.shape[:2]), mel.device, generator) < 0.15
        pred, hidden = self.net(mel.masked_fill(mask[..., None], 0.0))
        out = self.objective(pred.float(), mel.float(), mask)
        return StepOutput(out.loss, out.metrics, hidden.mean(1).detach())


def make_data(name: str, s: dict[str, Any], device: torch.device) -> dict[str, Tensor]:
    """One batch of random inputs on ``device`` (the reference also reuses one random batch)."""
    b = s["batch"]
    if name == "simclr":
        return {k: torch.randn(b, 3, s["img"], s["img"], device=device) for k in ("x1", "x2")}
    if name == "mae":
        return {"x": torch.randn(b, 3, s["img"], s["img"], device=device)}
    return {"x": torch.randn(b, s["frames"], s["n_mels"], device=device)}


MODULES: dict[str, Callable[..., SSLModule]] = {"simclr": SimCLR, "mae": MAE, "speech": SpeechMAM}
