"""T-JEPA's views: no augmentation, only per-batch context / target feature subsets.

The sampler is the core's :class:`ssl_core.views.ContextTargetMasks` (Thimonier et al., ICLR 2025,
section 3): context share ``U[ctx_range]``, ``num_targets`` target sets from the remaining features,
indices offset by the number of [REG] tokens (which the official code forgets: there the [REG] token
can be masked and the last feature never is). :func:`tjepa_masks` configures it for a table.
"""

from __future__ import annotations

from ssl_core.views import ContextTargetMasks

__all__ = ["ContextTargetMasks", "tjepa_masks"]


def tjepa_masks(
    num_features: int,
    *,
    n_cls: int = 1,
    ctx_range: tuple[float, float] = (0.136, 0.368),
    tgt_range: tuple[float, float] = (0.156, 0.622),
    num_targets: int = 4,
) -> ContextTargetMasks:
    """Context / target sampler over ``num_features`` feature tokens after ``n_cls`` [REG] tokens."""
    return ContextTargetMasks(
        num_features,
        ctx_range=ctx_range,
        tgt_range=tgt_range,
        num_targets=num_targets,
        n_always_context=n_cls,
    )
