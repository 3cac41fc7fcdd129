"""View generators of the template domain."""

from __future__ import annotations

import torch

from ssl_core.interfaces import Batch, ViewGenerator, Views


class NoiseMaskViews(ViewGenerator):
    """Two views of ``batch[key]``: Gaussian jitter, then zeroing a random subset of features.

    Batched and seeded: every random number comes from ``generator``, on the batch's device.

    Args:
        key: name of the feature tensor ``(B, F)``.
        noise: standard deviation of the jitter.
        mask_ratio: fraction of features zeroed in each view.
    """

    view_names = ("view1", "view2")

    def __init__(self, key: str = "x", noise: float = 0.1, mask_ratio: float = 0.2) -> None:
        if noise < 0 or not 0.0 <= mask_ratio < 1.0:
            raise ValueError(f"need noise >= 0 and 0 <= mask_ratio < 1, got {noise}, {mask_ratio}")
        self.key, self.noise, self.mask_ratio = key, noise, mask_ratio

    def _view(self, x: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
        jitter = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype) * self.noise
        keep = torch.rand(x.shape, generator=generator, device=x.device) >= self.mask_ratio
        return (x + jitter) * keep

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        """``{"view1": {key: ...}, "view2": {key: ...}}``."""
        x = batch[self.key]
        return {name: {self.key: self._view(x, generator)} for name in self.view_names}
