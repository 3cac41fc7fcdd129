"""k-nearest-neighbour classification of frozen embeddings (Wu et al., CVPR 2018), in torch.

Cosine similarity, the ``k`` most similar training samples vote (one vote each); ties go to the
smallest class index. Test samples are processed in chunks so memory stays ``O(chunk * N)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor


def knn_predict(
    train_x: Tensor,
    train_y: Tensor,
    test_x: Tensor,
    *,
    k: int = 20,
    num_classes: int | None = None,
    chunk: int = 1024,
) -> Tensor:
    """Majority-vote kNN predictions (cosine similarity) for every row of ``test_x``."""
    if len(train_x) == 0:
        raise ValueError("knn_predict needs at least one training sample")
    train_y = train_y.long().to(train_x.device)
    classes = int(num_classes if num_classes is not None else int(train_y.max()) + 1)
    k = min(k, len(train_x))
    train_n = F.normalize(train_x.float(), dim=1)
    preds = []
    for start in range(0, len(test_x), chunk):
        q = F.normalize(test_x[start : start + chunk].float().to(train_x.device), dim=1)
        idx = (q @ train_n.T).topk(k, dim=1).indices
        votes = torch.zeros(len(q), classes, device=q.device)
        votes.scatter_add_(1, train_y[idx], torch.ones_like(idx, dtype=votes.dtype))
        preds.append(votes.argmax(dim=1))
    return torch.cat(preds) if preds else torch.zeros(0, dtype=torch.long, device=train_x.device)


def knn_classify(train_x: Tensor, train_y: Tensor, test_x: Tensor, test_y: Tensor, k: int = 20) -> float:
    """kNN accuracy on ``(test_x, test_y)`` using ``(train_x, train_y)`` as the memory."""
    num_classes = int(max(int(train_y.max()), int(test_y.max()))) + 1
    pred = knn_predict(train_x, train_y, test_x, k=k, num_classes=num_classes)
    return float((pred.cpu() == test_y.long().cpu()).float().mean())
