"""The strong simple baseline of the field: a small CNN trained from scratch on the labels.

MedMNIST's baselines (Yang et al., Scientific Data 2023) are ResNet-18 (2D) and ResNet-18 3D; at
28 px on 2 CPU cores this is a 3-block CNN of the same family (conv-BN-ReLU, max pooling, global
average pooling, linear head), 2D or 3D by the input. Trained with Adam on the labelled subset.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class SmallCNN(nn.Module):
    """Three conv-BN-ReLU blocks (``width`` with stride 2, ``2 width`` + max pool, ``4 width``), global average pooling, a linear head."""

    def __init__(self, ndim: int, n_classes: int, width: int = 16) -> None:
        super().__init__()
        conv, bn, pool = (
            (nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d)
            if ndim == 2
            else (nn.Conv3d, nn.BatchNorm3d, nn.MaxPool3d)
        )
        layers: list[nn.Module] = []
        c_in = 1
        for i, c in enumerate((width, 2 * width, 4 * width)):
            layers += [conv(c_in, c, 3, padding=1, stride=2 if i == 0 else 1), bn(c), nn.ReLU()]
            if i == 1:
                layers.append(pool(2))
            c_in = c
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(c_in, n_classes)

    def forward(self, x: Tensor) -> Tensor:
        """Logits ``(B, n_classes)`` of ``(B, 1, *S)`` inputs."""
        return self.head(self.features(x).flatten(2).mean(-1))


def train_cnn(
    train_x: Tensor, train_y: Tensor, test_x: Tensor, n_classes: int, *, epochs: int = 15, lr: float = 1e-3,
    batch_size: int = 64, seed: int = 0,
) -> Tensor:  # fmt: skip
    """Train a :class:`SmallCNN` on normalised inputs; return its softmax probabilities on ``test_x``."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = SmallCNN(train_x.dim() - 2, n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train_x), generator=gen)
        for start in range(0, len(order), batch_size):
            b = order[start : start + batch_size]
            if len(b) < 2:
                continue
            loss = F.cross_entropy(model(train_x[b]), train_y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()
    with torch.no_grad():
        return torch.cat([model(test_x[i : i + 256]).softmax(-1) for i in range(0, len(test_x), 256)])
