"""The ST-SSDL "view": the history-average anchor of each input window.

ST-SSDL (Gao et al., NeurIPS 2025, arXiv 2510.04908) contrasts the current window with its
history average, not with an augmentation. :class:`HistoryAnchorView` looks the anchor up from the
training-period table (see :mod:`ssl_plugin_traffic.windows`) by each input timestep's slot, batched
and on the batch's device; the table is a buffer so it travels with checkpoints (forecasting new
inputs needs no training data).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ssl_core.interfaces import Batch, ViewGenerator, Views

__all__ = ["HistoryAnchorView"]


class HistoryAnchorView(nn.Module, ViewGenerator):
    """Views ``current`` (the batch) and ``anchor`` (``x`` replaced by the scaled history average).

    Args:
        table: ``(num_slots, N)`` history averages, already scaled like the inputs.
    """

    view_names = ("current", "anchor")
    table: Tensor

    def __init__(self, table: Tensor) -> None:
        super().__init__()
        self.register_buffer("table", table.float())

    def forward(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        """``batch`` needs ``x`` ``(B, T, N)`` and ``slot_x`` ``(B, T)``; ``generator`` is unused (deterministic)."""
        anchor = dict(batch)
        anchor["x"] = self.table[batch["slot_x"]]
        return {"current": batch, "anchor": anchor}
