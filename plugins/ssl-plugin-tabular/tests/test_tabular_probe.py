"""The downstream MLP's candidate epochs for early stopping (the probe itself is tested in the core)."""

from __future__ import annotations

from ssl_plugin_tabular.evaluate import select_epochs


def test_select_epochs():
    assert select_epochs(100, 25) == (25, 50, 75, 100)
    assert select_epochs(100, 0) == ()
