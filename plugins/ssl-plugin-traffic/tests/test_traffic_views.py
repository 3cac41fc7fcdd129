"""The history-anchor view against the testing kit's view-generator contract."""

from __future__ import annotations

import torch
from ssl_plugin_traffic.views import HistoryAnchorView

from ssl_core.testing.contracts import check_view_generator


def test_history_anchor_contract_and_lookup() -> None:
    table = torch.arange(24.0).view(8, 3)
    view = HistoryAnchorView(table)
    batch = {
        "x": torch.randn(2, 4, 3),
        "slot_x": torch.tensor([[0, 1, 2, 3], [7, 6, 5, 4]]),
        "tod_x": torch.zeros(2, 4),
    }
    views = check_view_generator(view, batch, stochastic=False)
    assert set(views) == {"current", "anchor"}
    torch.testing.assert_close(views["anchor"]["x"][1, 0], table[7])
    torch.testing.assert_close(views["current"]["x"], batch["x"])
    assert "table" in dict(view.named_buffers())  # travels with checkpoints and .to(device)
