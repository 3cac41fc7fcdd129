"""The downstream MLP's candidate epochs for early stopping (the probe itself is tested in the core)."""

from __future__ import annotations

from ssl_plugin_tabular.evaluate import select_epochs


def test_select_epochs():
    assert select_epochs(100, 25) == (25, 50, 75, 100)
    assert select_epochs(100, 0) == ()


def test_compare_rows_pair_seeds_and_items_reduce_to_the_scores(write_csv, csv_text):
    import pytest
    import torch
    from ssl_plugin_tabular.evaluate import DownstreamFeatures, ProbeSettings, compare

    from ssl_core.evaluation import paired_t_interval
    from ssl_core.plugins import get_registries

    recipe = get_registries().recipes.build(
        "tabular/tjepa", data=str(write_csv(csv_text(90))), target="label"
    )
    prepared = recipe.data
    embed = lambda b: torch.cat([b["x_num"], b["x_cat"].float()], 1)  # noqa: E731
    settings = ProbeSettings(epochs=5, hidden=8)
    feats = DownstreamFeatures(embed, prepared, settings)
    items, scores = feats.items(0), feats.scores(0)
    n_test = len(prepared.splits["test"])
    assert set(items) == {"ssl", "raw", "hgb"} and all(v.shape == (n_test,) for v in items.values())
    assert all(set(v.tolist()) <= {0.0, 1.0} for v in items.values())  # 1/0 correctness (accuracy)
    assert scores == pytest.approx({k: float(v.mean()) for k, v in items.items()})
    rows = compare(embed, prepared, seeds=[0, 1, 2], settings=settings)
    per_seed = [feats.scores(s) for s in range(3)]
    ssl, raw = [p["ssl"] for p in per_seed], [p["raw"] for p in per_seed]
    assert rows[0].diff_ci == pytest.approx(paired_t_interval(ssl, raw)[1:]) and rows[0].n == 3
    (one, hgb) = compare(embed, prepared, seeds=[0], settings=settings)
    assert (
        one.n == n_test
        and one.method == "paired bootstrap"
        and hgb.extra["baseline"] == "HistGradientBoosting"
    )
