"""TERA alterations (Liu, Li, Lee; IEEE/ACM TASLP 2021; s3prl ``pretrain/mockingjay/task.py``).

Applied to a ``(B, T, F)`` acoustic feature batch with optional ``(B,)`` valid lengths:

1. Time: spans of 7 frames covering about 15% of each utterance's valid frames (overlap allowed);
   per utterance, with probability 0.8 the spans are zeroed, 0.1 replaced by random frames of the
   same utterance, 0.1 left unchanged. The loss covers all chosen frames in all three cases.
2. Frequency: per utterance one contiguous band of width ~ U{0, ..., floor(0.2 F)} is zeroed on
   every valid frame; the loss covers that band.
3. Magnitude: with probability 0.15 per batch, N(0, 0.2^2) noise is added to all valid frames
   (no extra loss positions).

The view ``"altered"`` holds the altered input under ``key``, the loss mask ``"mask"`` (B, T, F)
and the clean ``"target"``.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.masks import span_mask
from ssl_core.views.utils import batch_device, get_tensor, valid_positions


class TERAAlteration(ViewGenerator):
    """Time / frequency / magnitude alteration of TERA; returns altered input + loss mask."""

    view_names = ("altered",)

    def __init__(
        self,
        key: str = "x",
        lengths_key: str | None = "lengths",
        *,
        time: bool = True,
        freq: bool = True,
        magnitude: bool = True,
        time_ratio: float = 0.15,
        time_span: int = 7,
        p_zero: float = 0.8,
        p_random: float = 0.1,
        freq_max_ratio: float = 0.2,
        magnitude_p: float = 0.15,
        noise_std: float = 0.2,
    ) -> None:
        if p_zero + p_random > 1.0:
            raise ValueError(f"TERAAlteration: p_zero + p_random must be <= 1, got {p_zero + p_random}")
        self.key, self.lengths_key = key, lengths_key
        self.time, self.freq, self.magnitude = time, freq, magnitude
        self.time_ratio, self.time_span, self.p_zero, self.p_random = time_ratio, time_span, p_zero, p_random
        self.freq_max_ratio, self.magnitude_p, self.noise_std = freq_max_ratio, magnitude_p, noise_std

    def _time(self, x: Tensor, lengths: Tensor, gen: torch.Generator | None) -> tuple[Tensor, Tensor]:
        b, t, f = x.shape
        dev = x.device
        tmask = span_mask(b, t, self.time_ratio, self.time_span, generator=gen, device=dev, lengths=lengths)
        dice = torch.rand(b, 1, generator=gen, device=dev)
        zero = dice < self.p_zero
        rand = (dice >= self.p_zero) & (dice < self.p_zero + self.p_random)
        src = (torch.rand(b, t, generator=gen, device=dev) * lengths.clamp_min(1).unsqueeze(1)).long()
        replaced = x.gather(1, src.clamp_max(t - 1).unsqueeze(-1).expand(b, t, f))
        out = torch.where((tmask & rand).unsqueeze(-1), replaced, x)
        out = out.masked_fill((tmask & zero).unsqueeze(-1), 0.0)
        return out, tmask.unsqueeze(-1).expand(b, t, f)

    def _freq(self, x: Tensor, valid: Tensor, gen: torch.Generator | None) -> Tensor:
        b, _, f = x.shape
        max_w = int(self.freq_max_ratio * f)
        width = (torch.rand(b, generator=gen, device=x.device) * (max_w + 1)).floor().long()
        start = (torch.rand(b, generator=gen, device=x.device) * (f - width + 1).float()).floor().long()
        pos = torch.arange(f, device=x.device).unsqueeze(0)
        band = (pos >= start.unsqueeze(1)) & (pos < (start + width).unsqueeze(1))
        return band.unsqueeze(1) & valid.unsqueeze(-1)

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        x = get_tensor(batch, self.key, "TERAAlteration")
        if x.ndim != 3:
            raise ValueError(f"TERAAlteration: {self.key!r} must be (B, T, F), got {tuple(x.shape)}")
        b, t, _ = x.shape
        dev = batch_device(batch)
        lengths_in = batch.get(self.lengths_key) if self.lengths_key else None
        lengths = (
            lengths_in.to(dev).long()
            if isinstance(lengths_in, Tensor)
            else torch.full((b,), t, dtype=torch.long, device=dev)
        )
        valid = valid_positions(lengths, b, t, dev)
        out, mask = x, torch.zeros_like(x, dtype=torch.bool)
        if self.time:
            out, mask = self._time(x, lengths, generator)
        if self.freq:
            fmask = self._freq(x, valid, generator)
            out, mask = out.masked_fill(fmask, 0.0), mask | fmask
        if self.magnitude:
            apply = torch.rand((), generator=generator, device=dev) < self.magnitude_p
            noise = torch.randn(x.shape, generator=generator, device=dev, dtype=x.dtype) * self.noise_std
            out = out + noise * (apply & valid.unsqueeze(-1)).to(x.dtype)
        return {"altered": {**batch, self.key: out, "mask": mask, "target": x}}
