"""Plugin wiring: the contract (check_plugin), a tiny run through the CLI, evaluate, embed and estimate."""

from __future__ import annotations

import numpy as np
import pytest
import ssl_plugin_battery.plugin as plugin
import torch
from conftest import charge_log, ssl_battery
from ssl_plugin_battery.encoders import BiLSTMEncoder, ReconstructionHead
from ssl_plugin_battery.objectives import MultiPositiveContrastive, SimilarityWeightedReconstruction
from ssl_plugin_battery.views import genev_views

from ssl_core.testing import check_plugin
from ssl_core.testing.pytest_plugin import isolated_plugin_manager

EXAMPLES = {
    "battery/bilstm": lambda: (BiLSTMEncoder(4, 4), {"x": torch.randn(3, 16, 4)}),
    "battery/geometric-mask": lambda: (genev_views(), {"x": torch.randn(3, 16, 4)}),
    "battery/multi-positive-contrastive": lambda: (
        MultiPositiveContrastive(3),
        (torch.randn(8, 5, requires_grad=True),),
    ),
    "battery/weighted-reconstruction": lambda: (
        SimilarityWeightedReconstruction(ReconstructionHead(6, 4, 2)),
        (
            torch.randn(8, 5, requires_grad=True),
            torch.randn(8, 6, 4, requires_grad=True),
            torch.randn(2, 6, 2),
        ),
    ),
}

TINY = ["train.batch_size=8", "train.progress=false", "recipe_args.hidden=4", "recipe_args.proj_dim=8",
        "recipe_args.window=16", "recipe_args.grid_s=30", "recipe_args.windows_per_curve=2", "recipe_args.ft_steps=3",
        "recipe_args.eval_seeds=2", "recipe_args.label_fraction=0.5"]  # fmt: skip
SETS = [x for s in TINY for x in ("--set", s)]


def _write_log(folder):
    path = folder / "log #1.csv"
    path.write_text(charge_log())
    return path


@pytest.mark.timeout(240)
def test_plugin_contract(tmp_path):
    check_plugin(plugin.TABLE, tmp_path=tmp_path, examples=EXAMPLES, embed_input=_write_log)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A tiny run on a synthetic generic CSV (3 cells, c2 held out); the CSV is deleted afterwards."""
    root = tmp_path_factory.mktemp("battery")
    data = _write_log(root)
    with isolated_plugin_manager() as pm, pm.registered(plugin, "battery"):
        result = ssl_battery(
            "pretrain", "--data", str(data), "--run-dir", str(root / "run"), "--steps", "3", *SETS
        )
        assert result.exit_code == 0, result.output
        data.unlink()
        yield root


def test_evaluate_prints_ssl_vs_scratch_vs_ic_after_the_data_is_gone(run):
    result = ssl_battery("evaluate", str(run / "run"))
    assert result.exit_code == 0, result.output
    assert (
        "same BiLSTM without SSL" in result.output and "gradient boosting on dQ/dV features" in result.output
    )
    assert "paired t over 2 seeds" in result.output and "test_cells=c2" in result.output


def test_estimate_prints_one_row_per_cycle_with_spread_and_writes_csv_and_plot(run, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text(charge_log(cells=1, cycles=3, seed=5))
    out = tmp_path / "soh.csv"
    result = ssl_battery("estimate", str(run / "run"), str(new), "-o", str(out))
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0] == "cell,cycle,snippets,soh,soh_std,capacity_Ah,measured_soh" and len(lines) == 4
    soh = np.array([float(line.split(",")[3]) for line in lines[1:]])
    assert np.isfinite(soh).all() and all(float(line.split(",")[4]) >= 0 for line in lines[1:])
    assert [line.split(",")[6] for line in lines[1:]] == ["1.0000", "0.9500", "0.9000"]  # measured / rated
    bad = ssl_battery("estimate", str(run / "run"), str(tmp_path / "soh.csv"), "-o", str(tmp_path / "x.csv"))
    assert bad.exit_code != 0 and "Traceback" not in bad.output and not (tmp_path / "x.csv").exists()


def test_embed_writes_one_vector_per_snippet(run, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text(charge_log(cells=1, cycles=2))
    result = ssl_battery("embed", str(run / "run"), str(new), "-o", str(tmp_path / "e.npy"))
    assert result.exit_code == 0, result.output
    emb = np.load(tmp_path / "e.npy")
    assert emb.shape == (2 * (120 * 30 // (16 * 30)), 8) and np.isfinite(emb).all()


def test_report_shows_estimated_vs_true_soh_of_the_held_out_cell(run):
    from ssl_core.testing import html_problems

    html = (run / "run" / "report.html").read_text()  # written by pretrain after the CSV was read
    assert html_problems(html) == []
    figure = html[html.index("<h3>Estimated vs true SOH on the held-out cells</h3>") :]
    figure = figure[: figure.index("</div>")]
    assert "<polyline" in figure and "c2 estimated" in figure and "c2 true" in figure
    assert "held-out cell(s) c2" in figure and "figure not drawn" not in html
