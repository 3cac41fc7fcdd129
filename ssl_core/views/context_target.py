"""Context / target index sampling for JEPA on feature tokens (T-JEPA, Thimonier et al., ICLR 2025).

Per batch, a context size ``n_c = round(D U[ctx_range])`` and target size ``n_t = round(D U[tgt_range])``
are drawn and resampled until ``n_c + n_t <= D`` (both at least 1). Per sample, a random permutation
of the D features gives the ``n_c`` context features; ``num_targets`` target sets of ``n_t`` features
each are drawn from the *remaining* features (target sets may overlap one another, never the
context). Indices are token positions: features are offset by ``n_always_context`` so the leading
tokens (e.g. [REG]) are always in the context and never targets, which fixes the index quirk of
the reference code.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ssl_core.interfaces import Batch, ViewGenerator, Views
from ssl_core.views.utils import batch_device


class ContextTargetMasks(ViewGenerator):
    """JEPA masks: ``"context_idx"`` (B, n_always + n_c) and ``"target_idx"`` (num_targets, B, n_t).

    Args:
        num_features: D, the number of feature tokens (excluding the always-context tokens).
        ctx_range: bounds of the context share (T-JEPA Jannis: 0.136-0.368).
        tgt_range: bounds of the target share (T-JEPA Jannis: 0.156-0.622).
        num_targets: number of target sets (T-JEPA: 4).
        n_always_context: leading tokens always in the context (e.g. the [REG] tokens).
        max_tries: resampling budget for ``n_c + n_t <= D``.
    """

    batch_dims = {"target_idx": 1}  # (num_targets, B, n_t): the batch is dimension 1

    view_names = ("masks",)

    def __init__(
        self,
        num_features: int,
        *,
        ctx_range: tuple[float, float] = (0.136, 0.368),
        tgt_range: tuple[float, float] = (0.156, 0.622),
        num_targets: int = 4,
        n_always_context: int = 1,
        max_tries: int = 1000,
    ) -> None:
        if num_features < 2:
            raise ValueError(f"ContextTargetMasks: need at least 2 features, got {num_features}")
        for name, (lo, hi) in (("ctx_range", ctx_range), ("tgt_range", tgt_range)):
            if not 0.0 <= lo <= hi <= 1.0:
                raise ValueError(
                    f"ContextTargetMasks: {name} must satisfy 0 <= lo <= hi <= 1, got {(lo, hi)}"
                )
        self.num_features, self.ctx_range, self.tgt_range = num_features, ctx_range, tgt_range
        self.num_targets, self.n_always_context, self.max_tries = num_targets, n_always_context, max_tries

    def sample_sizes(self, generator: torch.Generator | None, device: torch.device) -> tuple[int, int]:
        """Draw ``(n_c, n_t)`` with ``n_c + n_t <= D``, both >= 1."""
        d = self.num_features
        for _ in range(self.max_tries):
            u = torch.rand(2, generator=generator, device=device).tolist()
            n_c = max(1, round(d * (self.ctx_range[0] + u[0] * (self.ctx_range[1] - self.ctx_range[0]))))
            n_t = max(1, round(d * (self.tgt_range[0] + u[1] * (self.tgt_range[1] - self.tgt_range[0]))))
            if n_c + n_t <= d:
                return n_c, n_t
        raise ValueError(
            f"ContextTargetMasks: no n_c + n_t <= {d} found in {self.max_tries} draws; "
            f"shrink ctx_range {self.ctx_range} / tgt_range {self.tgt_range}"
        )

    def sample(
        self, batch_size: int, generator: torch.Generator | None = None, device: torch.device | str = "cpu"
    ) -> tuple[Tensor, Tensor]:
        """``(context_idx, target_idx)`` LongTensors of token positions (see class docstring)."""
        dev = torch.device(device)
        d, k = self.num_features, self.num_targets
        n_c, n_t = self.sample_sizes(generator, dev)
        perm = torch.rand(batch_size, d, generator=generator, device=dev).argsort(dim=1)
        context = perm[:, :n_c].sort(dim=1).values
        rest = perm[:, n_c:]
        pick = torch.rand(k, batch_size, d - n_c, generator=generator, device=dev).argsort(dim=2)[..., :n_t]
        targets = rest.unsqueeze(0).expand(k, -1, -1).gather(2, pick).sort(dim=2).values
        offset = self.n_always_context
        always = torch.arange(offset, device=dev).expand(batch_size, offset)
        return torch.cat([always, context + offset], dim=1), targets + offset

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        first = next((v for v in batch.values() if isinstance(v, Tensor)), None)
        if first is None:
            raise KeyError("ContextTargetMasks: batch has no tensor to take the batch size from")
        context_idx, target_idx = self.sample(first.shape[0], generator, batch_device(batch))
        return {"masks": {**batch, "context_idx": context_idx, "target_idx": target_idx}}
