"""The run directory is self-contained: pretrain on a COPY of real Los-loop data (relative --data and
--graph, a folder and file name with '#', ':' and spaces), delete the copy, then evaluate and embed."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from traffic_helpers import TINY_MODEL, sets

from ssl_core.testing.data import shared_data_dir

pytestmark = pytest.mark.data


@pytest.mark.timeout(240)
def test_real_data_copy_deleted_then_evaluate_and_embed(cli_runner, tmp_path: Path, monkeypatch) -> None:
    source = shared_data_dir("traffic") / "los_loop"
    work = tmp_path / "work: #2 copy"
    work.mkdir()
    data = shutil.copy(source / "los_speed.csv", work / "los_speed #1: copy.csv")
    shutil.copy(source / "los_adj.csv", work / "los_adj.csv")
    recent = tmp_path / "recent.csv"  # embed's INPUT: the first 30 readings, written before the deletion
    recent.write_text("".join(Path(data).read_text().splitlines(keepends=True)[:31]))
    monkeypatch.chdir(work)
    run = tmp_path / "run"
    tiny = sets("train.batch_size=8", "train.progress=false", *TINY_MODEL)
    result = cli_runner.ssl("traffic", "pretrain", "--data", Path(data).name, "--graph", "los_adj.csv",
                            "--run-dir", str(run), "--steps", "2", "--device", "cpu", *tiny)  # fmt: skip
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((run / "config.yaml").read_text())["recipe_args"]
    assert saved["data"] == str(work / "los_speed #1: copy.csv")  # absolute, verbatim, not parsed as YAML
    assert saved["graph"] == str(work / "los_adj.csv")
    monkeypatch.chdir(tmp_path)
    shutil.rmtree(work)

    result = cli_runner.ssl("traffic", "evaluate", str(run))
    assert result.exit_code == 0, result.output
    assert "test step 12" in result.output and "vs last value:" in result.output
    out = tmp_path / "emb.npy"
    result = cli_runner.ssl("traffic", "embed", str(run), str(recent), "-o", str(out))
    assert result.exit_code == 0, result.output
    emb = np.load(out)
    assert emb.shape == (30 - 12 + 1, 8) and np.isfinite(emb).all()
    forecast = tmp_path / "f.npz"
    result = cli_runner.ssl("traffic", "forecast", str(run), "--input", str(recent), "-o", str(forecast))
    assert result.exit_code == 0, result.output
    with np.load(forecast) as archive:
        assert archive["forecast"].shape == (12, 207) and len(archive["sensor_ids"]) == 207
