"""Geometric masking (SimMTM, Dong et al., NeurIPS 2023; used by GenEV, Arunan et al. 2025).

Masked and unmasked runs alternate; run lengths are geometric with mean ``l_m`` (masked) and
``l_m (1 - r) / r`` (unmasked), i.e. a two-state Markov chain with stop probabilities
``p_m = 1 / l_m`` and ``p_u = p_m r / (1 - r)``, started in its stationary distribution so the
expected masked share is ``r``. Sampled fully vectorised: run lengths for every row are drawn at
once, their cumulative sums give run boundaries, and ``searchsorted`` maps positions to runs.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.utils import batch_device, get_tensor


def _geometric(
    shape: tuple[int, ...], p: float, generator: torch.Generator | None, device: torch.device
) -> Tensor:
    """Samples of a geometric distribution on {1, 2, ...} with success probability ``p``."""
    if p >= 1.0:
        return torch.ones(shape, dtype=torch.long, device=device)
    u = torch.rand(shape, generator=generator, device=device, dtype=torch.float64).clamp_min(1e-300)
    return (torch.log(u) / torch.log1p(torch.tensor(-p, dtype=torch.float64))).floor().long() + 1


def geometric_mask(
    batch_size: int,
    length: int,
    ratio: float = 0.5,
    mean_length: float = 3.0,
    *,
    generator: torch.Generator | None = None,
    device: torch.device | str | None = None,
) -> Tensor:
    """``(B, L)`` bool mask of alternating geometric runs (True = masked), masked share ``ratio``."""
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"geometric masking ratio must be in (0, 1), got {ratio}")
    if mean_length < 1.0:
        raise ValueError(f"mean masked length must be >= 1, got {mean_length}")
    dev = torch.device(device) if device is not None else torch.device("cpu")
    p_m = 1.0 / mean_length
    p_u = min(1.0, p_m * ratio / (1.0 - ratio))
    start_masked = torch.rand(batch_size, 1, generator=generator, device=dev) < ratio
    masked_runs = _geometric((batch_size, length), p_m, generator, dev)
    unmasked_runs = _geometric((batch_size, length), p_u, generator, dev)
    run_idx = torch.arange(length, device=dev).unsqueeze(0)
    run_is_masked = (run_idx % 2 == 0) == start_masked
    runs = torch.where(run_is_masked, masked_runs, unmasked_runs)
    ends = runs.cumsum(dim=1)
    pos = torch.arange(length, device=dev).expand(batch_size, length).contiguous()
    which = torch.searchsorted(ends, pos, right=True).clamp_max(length - 1)
    return run_is_masked.gather(1, which)


class GeometricMaskView(ViewGenerator):
    """SimMTM views: the original plus ``num_views`` geometrically masked copies (masked values zeroed).

    Args:
        key: ``(B, T)`` or ``(B, T, C)`` series in the batch.
        num_views: number of masked copies K (SimMTM default 3).
        ratio: masked share r (default 0.5).
        mean_length: mean masked run length l_m (default 3).
        per_channel: draw an independent mask per channel of a ``(B, T, C)`` series (as SimMTM).
        fill: value written at masked positions.
    """

    def __init__(
        self,
        key: str = "x",
        num_views: int = 3,
        ratio: float = 0.5,
        mean_length: float = 3.0,
        *,
        per_channel: bool = True,
        fill: float = 0.0,
    ) -> None:
        if num_views < 1:
            raise ValueError(f"GeometricMaskView: num_views must be >= 1, got {num_views}")
        self.key, self.num_views, self.ratio, self.mean_length = key, num_views, ratio, mean_length
        self.per_channel, self.fill = per_channel, fill
        self.view_names = ("original", *(f"masked_{k}" for k in range(num_views)))

    def _mask(self, x: Tensor, generator: torch.Generator | None, device: torch.device) -> Tensor:
        b, t = x.shape[:2]
        if x.ndim == 3 and self.per_channel:
            c = x.shape[2]
            m = geometric_mask(b * c, t, self.ratio, self.mean_length, generator=generator, device=device)
            return m.reshape(b, c, t).transpose(1, 2)
        m = geometric_mask(b, t, self.ratio, self.mean_length, generator=generator, device=device)
        return m.reshape(b, t, *([1] * (x.ndim - 2))).expand(x.shape)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        x = get_tensor(batch, self.key, "GeometricMaskView")
        if x.ndim not in (2, 3):
            raise ValueError(
                f"GeometricMaskView: {self.key!r} must be (B, T) or (B, T, C), got {tuple(x.shape)}"
            )
        views: Views = {"original": dict(batch)}
        for name in self.view_names[1:]:
            mask = self._mask(x, generator, batch_device(batch))
            views[name] = {**batch, self.key: x.masked_fill(mask, self.fill), "mask": mask}
        return views
