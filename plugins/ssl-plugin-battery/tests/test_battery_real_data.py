"""The loaders on the real files under ``$SSL_DATA_DIR/battery`` (CALCE Arbin .xlsx, NASA PCoE charge
CSVs, the EV packs' MATLAB v7.3 file), the embedded slice against its source, Parquet, and a tiny run
on a real workbook."""

from __future__ import annotations

import numpy as np
import pytest
import ssl_plugin_battery.plugin as plugin
from conftest import charge_log, ssl_battery
from ssl_plugin_battery.calce import read_calce
from ssl_plugin_battery.curves import resample
from ssl_plugin_battery.packs import read_packs
from ssl_plugin_battery.sources import embedded_curves, load_curves
from ssl_plugin_battery.tables import read_nasa

from ssl_core.testing.data import shared_data_dir
from ssl_core.testing.pytest_plugin import isolated_plugin_manager

CALCE_FILE = "calce_cs2_raw_36_37_38/CS2_36/CS2_36_1_28_11.xlsx"


@pytest.mark.data
def test_calce_workbook_cycles_and_capacities_match_provenance(capsys):
    path = shared_data_dir("battery") / CALCE_FILE
    curves = read_calce(path)
    caps = np.array([c.capacity for c in curves])
    assert len(curves) == 50 and {c.cell for c in curves} == {"CS2_36"}
    assert (
        abs(np.nanmedian(caps) - 0.322) < 0.005 and np.nanmin(caps) > 0.27 and np.nanmax(caps) < 0.41
    )  # PROVENANCE
    c = curves[0]
    assert c.temp is None and (c.i > 0).all() and np.all(np.diff(c.t) > 0) and c.v.max() <= 4.21
    assert 0.25 < c.q[-1] < 0.45  # charged Ah of an aged 1.1 Ah cell
    load_curves(str(path))
    assert "calce: 1 cells (CS2_36), 50 charge curves" in capsys.readouterr().err


@pytest.mark.data
def test_nasa_folder_labels_and_embedded_slice_match_the_source():
    curves = read_nasa(shared_data_dir("battery") / "nasa_pcoe_cycles")
    assert len(curves) == 83 and sum(np.isfinite(c.capacity) for c in curves) == 82
    b5 = [c for c in curves if c.cell == "B0005" and np.isfinite(c.capacity)]
    assert abs(min(c.capacity for c in b5) - 1.303) < 1e-3 and abs(max(c.capacity for c in b5) - 1.856) < 1e-3
    assert all(c.temp is not None and (c.i > 0).all() for c in curves)
    shipped = {(c.cell, c.cycle): c for c in embedded_curves()}
    for c in curves[:5]:
        if (c.cell, c.cycle) in shipped:
            grid = resample(c, 10.0)
            np.testing.assert_allclose(resample(shipped[(c.cell, c.cycle)], 10.0), grid, rtol=0, atol=1e-4)
            assert shipped[(c.cell, c.cycle)].capacity == pytest.approx(c.capacity)


@pytest.mark.data
def test_ev_packs_v73_file_gives_ten_vehicles_with_their_soh():
    curves = read_packs(shared_data_dir("battery") / "ev_packs_deng2024" / "BatPackdata.mat")
    soh = {c.cell: c.soh for c in curves}
    assert (
        len(soh) == 10
        and soh["veh3"] == pytest.approx(0.789, abs=1e-3)
        and soh["veh9"] == pytest.approx(1.017, abs=1e-3)
    )
    assert sum(c.cell == "veh1" for c in curves) == 11 and sum(c.cell == "veh8" for c in curves) == 10
    # I_load < 0 while charging, flipped to + = charge: the charged Ah is the integral of the current (1 Hz)
    assert sum(np.median(c.i) > 0 for c in curves) >= 54
    for c in curves:
        assert c.q[-1] > 0 and abs(c.q[-1] - c.i[1:].sum() / 3600) < 0.02 * c.q[-1] + 0.05


def test_parquet_reads_like_the_generic_csv(tmp_path):
    pa = pytest.importorskip(
        "pyarrow", reason="the parquet extra is not installed (make install installs it)"
    )
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    csv = tmp_path / "log.csv"
    csv.write_text(charge_log(cells=2, cycles=2))
    pq.write_table(pcsv.read_csv(csv), tmp_path / "log.parquet")
    a, b = load_curves(str(csv)), load_curves(str(tmp_path / "log.parquet"))
    assert isinstance(pa.__version__, str) and len(a) == len(b) == 4
    for x, y in zip(a, b):
        assert (
            (x.cell, x.cycle) == (y.cell, y.cycle)
            and np.allclose(x.v, y.v)
            and x.capacity == pytest.approx(y.capacity)
        )


@pytest.mark.data
@pytest.mark.timeout(200)
def test_tiny_run_on_a_real_calce_workbook(tmp_path):
    path = shared_data_dir("battery") / CALCE_FILE
    sets = ["train.batch_size=8", "train.progress=false", "recipe_args.hidden=4", "recipe_args.proj_dim=8",
            "recipe_args.window=32", "recipe_args.windows_per_curve=1"]  # fmt: skip
    with isolated_plugin_manager() as pm, pm.registered(plugin, "battery"):
        result = ssl_battery("pretrain", "--data", str(path), "--run-dir", str(tmp_path / "run"), "--steps", "2",
                             *[x for s in sets for x in ("--set", s)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "run" / "data.pt").is_file()


def test_parquet_without_pyarrow_is_a_one_line_error(tmp_path, monkeypatch):
    import sys

    from ssl_core.errors import DataError

    path = tmp_path / "log.parquet"
    path.write_bytes(b"PAR1")
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)  # import fails as if the extra were missing
    with pytest.raises(DataError, match="log.parquet: <file>: reading Parquet needs pyarrow"):
        load_curves(str(path))
