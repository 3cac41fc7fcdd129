"""Backbones of the GPU workloads, written without torchvision.

They do the same work as the models of ``/work/shared/bench/reference_workloads.py``:

* :class:`ResNet18` -- He et al., "Deep Residual Learning for Image Recognition", CVPR 2016, with
  the CIFAR stem used by SimCLR (Chen et al., 2020): 3x3 stride-1 first conv, no max-pool; the
  block layout of ``torchvision.models.resnet18``.
* :class:`MAEViT` -- He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022:
  ViT-S/16 encoder over the visible 25 % of patches, 8-block 512-d decoder.
* :class:`SpeechTransformer` -- a TERA-like (Liu et al., 2021) 3-layer 768-d transformer over
  80-d log-mel frames.

Every size is a constructor argument so ``--smoke`` runs tiny versions on CPU.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


class BasicBlock(nn.Module):
    """Two 3x3 convs with BatchNorm and an identity (or 1x1 projection) shortcut."""

    def __init__(self, cin: int, cout: int, stride: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.downsample: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.downsample(x))


class ResNet18(nn.Module):
    """ResNet-18 with the CIFAR stem; returns the pooled ``(B, 8 * width)`` features."""

    def __init__(self, width: int = 64, in_channels: int = 3) -> None:
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv2d(in_channels, width, 3, 1, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(inplace=True)
        )
        layers, cin = [], width
        for i, cout in enumerate((width, 2 * width, 4 * width, 8 * width)):
            stride = 1 if i == 0 else 2
            layers.append(nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)))
            cin = cout
        self.layers = nn.Sequential(*layers)
        self.output_dim = cin

    def forward(self, x: Tensor) -> Tensor:
        return torch.flatten(nn.functional.adaptive_avg_pool2d(self.layers(self.stem(x)), 1), 1)


def _block(dim: int, heads: int) -> nn.TransformerEncoderLayer:
    """A pre-norm transformer block (MLP ratio 4, GELU, no dropout), as in the reference."""
    return nn.TransformerEncoderLayer(
        dim, heads, 4 * dim, activation="gelu", batch_first=True, norm_first=True, dropout=0.0
    )


class MAEViT(nn.Module):
    """ViT encoder over kept patches + lightweight decoder predicting every patch's pixels.

    :meth:`forward` takes images and the indices that shuffle the patches (the first ``keep`` are
    visible) and returns the per-patch predictions ``(B, N, p * p * C)`` in the original order.
    """

    def __init__(
        self,
        img: int = 224,
        patch: int = 16,
        dim: int = 384,
        depth: int = 12,
        heads: int = 6,
        dec_dim: int = 512,
        dec_depth: int = 8,
        dec_heads: int = 16,
        channels: int = 3,
    ) -> None:
        super().__init__()
        self.patch, self.num_patches = patch, (img // patch) ** 2
        self.embed = nn.Conv2d(channels, dim, patch, patch)
        self.pos = nn.Parameter(torch.randn(1, self.num_patches, dim) * 0.02)
        self.blocks = nn.Sequential(*[_block(dim, heads) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.dec_embed = nn.Linear(dim, dec_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, dec_dim))
        self.dec_pos = nn.Parameter(torch.randn(1, self.num_patches, dec_dim) * 0.02)
        self.dec_blocks = nn.Sequential(*[_block(dec_dim, dec_heads) for _ in range(dec_depth)])
        self.dec_norm = nn.LayerNorm(dec_dim)
        self.pred = nn.Linear(dec_dim, patch * patch * channels)

    def encode(self, imgs: Tensor, ids_keep: Tensor) -> Tensor:
        """Encoder tokens ``(B, keep, dim)`` of the visible patches."""
        x = self.embed(imgs).flatten(2).transpose(1, 2) + self.pos
        x = torch.gather(x, 1, ids_keep[..., None].expand(-1, -1, x.shape[-1]))
        return self.norm(self.blocks(x))

    def forward(self, imgs: Tensor, ids_keep: Tensor, ids_restore: Tensor) -> tuple[Tensor, Tensor]:
        """``(predictions (B, N, p*p*C), encoder tokens (B, keep, dim))``."""
        latent = self.encode(imgs, ids_keep)
        x = self.dec_embed(latent)
        b, keep = x.shape[:2]
        x = torch.cat([x, self.mask_token.expand(b, self.num_patches - keep, -1)], 1)
        x = torch.gather(x, 1, ids_restore[..., None].expand(-1, -1, x.shape[-1])) + self.dec_pos
        return self.pred(self.dec_norm(self.dec_blocks(x))), latent

    def patchify(self, imgs: Tensor) -> Tensor:
        """``(B, C, H, W)`` -> ``(B, N, p * p * C)`` in the same patch order as :meth:`encode`."""
        p, b = self.patch, imgs.shape[0]
        t = imgs.unfold(2, p, p).unfold(3, p, p).permute(0, 2, 3, 1, 4, 5)
        return t.reshape(b, self.num_patches, -1)


class SpeechTransformer(nn.Module):
    """Linear in -> pre-norm transformer -> linear out, frame by frame (TERA-like)."""

    def __init__(
        self, n_mels: int = 80, dim: int = 768, layers: int = 3, heads: int = 12, ffn: int = 3072
    ) -> None:
        super().__init__()
        self.inp = nn.Linear(n_mels, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, ffn, batch_first=True, norm_first=True)
        self.enc = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.out = nn.Linear(dim, n_mels)

    def forward(self, mel: Tensor) -> tuple[Tensor, Tensor]:
        """``(reconstruction (B, T, n_mels), hidden states (B, T, dim))``."""
        h = self.enc(self.inp(mel))
        return self.out(h), h
