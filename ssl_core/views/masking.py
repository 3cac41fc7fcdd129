"""``MaskingView``: random / block / span masking of any token axis of one tensor of the batch.

The masked view holds the masked tensor and its ``(B, L)`` ``"mask"`` (True = masked); the
``"original"`` view is the untouched batch (the reconstruction target), as in MAE-style methods.
"""

from __future__ import annotations

from typing import Any, Literal

import torch

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.masks import block_mask, random_mask, span_mask
from ssl_core.views.utils import apply_mask, batch_device, get_tensor

MaskKind = Literal["random", "block", "span"]


class MaskingView(ViewGenerator):
    """Mask positions along ``axis`` of ``batch[key]``.

    Args:
        key: tensor to mask.
        axis: token axis (time, frequency, patch, feature, node ...), not 0.
        kind: ``"random"``, ``"block"`` or ``"span"`` (see :mod:`ssl_core.views.masks`).
        ratio: share of positions to mask.
        span: span length for ``kind="span"``.
        fill: value written at masked positions.
        lengths_key: optional ``(B,)`` valid lengths in the batch (padding is never masked).
        name: name of the masked view.
        keep_original: also return the untouched batch as view ``"original"``.
    """

    def __init__(
        self,
        key: str = "x",
        axis: int = 1,
        kind: MaskKind = "random",
        ratio: float = 0.5,
        *,
        span: int = 10,
        fill: float = 0.0,
        lengths_key: str | None = None,
        name: str = "masked",
        keep_original: bool = True,
    ) -> None:
        if kind not in ("random", "block", "span"):
            raise ValueError(f"MaskingView: kind must be random, block or span, got {kind!r}")
        self.key, self.axis, self.kind, self.ratio, self.span = key, axis, kind, ratio, span
        self.fill, self.lengths_key, self.name = fill, lengths_key, name
        self.view_names = ("original", name) if keep_original else (name,)

    def sample_mask(self, batch: Batch, generator: torch.Generator | None = None) -> torch.Tensor:
        """The ``(B, L)`` mask this view would apply to ``batch``."""
        x = get_tensor(batch, self.key, "MaskingView")
        lengths = batch.get(self.lengths_key) if self.lengths_key else None
        b, length, dev = x.shape[0], x.shape[self.axis], batch_device(batch)
        kwargs: dict[str, Any] = {"generator": generator, "device": dev, "lengths": lengths}
        if self.kind == "random":
            return random_mask(b, length, self.ratio, **kwargs)
        if self.kind == "block":
            return block_mask(b, length, self.ratio, **kwargs)
        return span_mask(b, length, self.ratio, self.span, **kwargs)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        mask = self.sample_mask(batch, generator)
        x = batch[self.key]
        views: Views = {
            self.name: {**batch, self.key: apply_mask(x, mask, self.axis, self.fill), "mask": mask}
        }
        if "original" in self.view_names:
            views = {"original": dict(batch), **views}
        return views
