"""2D Matryoshka: an embedding objective over nested dimensions and a sampled shallow layer.

Kusupati et al., 2022, "Matryoshka Representation Learning", arXiv 2205.13147; Li, Li, Li et al.,
2024, "2D Matryoshka Sentence Embeddings", arXiv 2402.14776.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.interfaces import EmbeddingObjective, ObjectiveOutput
from ssl_core.objectives._checks import detached_metrics


def nested_loss(base: EmbeddingObjective, views: Sequence[Tensor], dims: Sequence[int]) -> Tensor:
    """``sum_{d in dims} base(v_1[:, :d], ..., v_V[:, :d]).loss``."""
    return torch.stack([base(*(v[:, :d] for v in views)).loss for d in dims]).sum()


def alignment_mse(shallow: Sequence[Tensor], last: Sequence[Tensor]) -> Tensor:
    """Mean over views of ``MSE(shallow_v, sg(last_v))``: pulls the shallow layer toward the last one."""
    return torch.stack([F.mse_loss(s, t.detach()) for s, t in zip(shallow, last)]).mean()


class MatryoshkaLoss(EmbeddingObjective):
    """Wrap ``base`` over nested dims ``{d'}`` and a sampled shallow layer ``k`` (2DMSE)::

        L = sum_{d in D'} base(e_L[:d]) + (k / L) sum_{d in D'} base(e_k[:d]) + beta MSE(e_k, sg(e_L)),

    where ``D'`` is every dim of ``dims`` plus the full width (or, with ``sample_dims``, the full width
    and one ``d'`` drawn from ``dims``). Views are ``(B, D)`` (last layer only: plain Matryoshka) or
    ``(B, L, D)`` pooled embeddings of layers ``1..L`` (the last layer last); ``k ~ U{1..L-1}`` unless
    given. Sampling uses an internal generator seeded with ``seed``, so every rank draws the same ``k``.

    Args:
        base: any embedding objective (NT-Xent, VICReg ...).
        dims: nested truncation widths, each ``>= 1``.
        sample_dims: draw one ``d'`` per step instead of using all dims.
        align_weight: ``beta``, weight of the alignment term.
        layer_weighting: weight layer-``k`` losses by ``k / L`` (otherwise 1).
        seed: seed of the layer / dim sampler.

    Raises:
        ValueError: on empty or non-positive ``dims``, negative ``align_weight``, or (in ``forward``)
            dims wider than the embeddings, views of different shapes, or a ``layer`` outside ``[1, L-1]``.
    """

    batch_coupled = True

    def __init__(
        self,
        base: EmbeddingObjective,
        dims: Sequence[int],
        *,
        sample_dims: bool = False,
        align_weight: float = 1.0,
        layer_weighting: bool = True,
        seed: int = 0,
    ) -> None:
        super().__init__()
        dims = sorted({int(d) for d in dims})
        if not dims or dims[0] < 1:
            raise ValueError(f"MatryoshkaLoss: dims must be non-empty positive ints, got {dims}")
        if align_weight < 0:
            raise ValueError(f"MatryoshkaLoss: align_weight must be >= 0, got {align_weight}")
        self.base, self.dims, self.sample_dims = base, dims, sample_dims
        self.align_weight, self.layer_weighting = float(align_weight), layer_weighting
        self.generator = torch.Generator().manual_seed(seed)

    def _dims(self, width: int) -> list[int]:
        if self.dims[-1] > width:
            raise ValueError(f"MatryoshkaLoss: dim {self.dims[-1]} exceeds the embedding width {width}")
        if self.sample_dims:
            pick = self.dims[int(torch.randint(len(self.dims), (1,), generator=self.generator))]
            return sorted({pick, width})
        return sorted({*self.dims, width})

    def _layer(self, num_layers: int, layer: int | None) -> int:
        if layer is None:
            return int(torch.randint(1, num_layers, (1,), generator=self.generator))
        if not 1 <= layer < num_layers:
            raise ValueError(f"MatryoshkaLoss: layer must be in [1, {num_layers - 1}], got {layer}")
        return layer

    def forward(self, *views: Tensor, layer: int | None = None) -> ObjectiveOutput:
        if len(views) < 2 or any(v.shape != views[0].shape or v.dim() not in (2, 3) for v in views):
            raise ValueError(
                f"MatryoshkaLoss: need >= 2 equally shaped (B, D) or (B, L, D) views, got {[tuple(v.shape) for v in views]}"
            )
        dims = self._dims(views[0].shape[-1])
        last = [v[:, -1] if v.dim() == 3 else v for v in views]
        loss_last = nested_loss(self.base, last, dims)
        metrics = {"matryoshka/last": loss_last}
        loss = loss_last
        num_layers = views[0].shape[1] if views[0].dim() == 3 else 1
        if num_layers >= 2:
            k = self._layer(num_layers, layer)
            shallow = [v[:, k - 1] for v in views]
            weight = k / num_layers if self.layer_weighting else 1.0
            loss_k = nested_loss(self.base, shallow, dims)
            align = alignment_mse(shallow, last)
            loss = loss + weight * loss_k + self.align_weight * align
            metrics.update(
                {
                    "matryoshka/layer": loss_k,
                    "matryoshka/align": align,
                    "matryoshka/k": torch.tensor(float(k)),
                }
            )
        metrics["matryoshka/loss"] = loss
        return ObjectiveOutput(loss, detached_metrics(**metrics))
