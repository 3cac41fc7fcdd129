"""The battery plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``): every case is a
one-line error naming the file, sheet / column and row, with nothing written."""

from __future__ import annotations

import io
from pathlib import Path

import h5py
import openpyxl
import pytest
from conftest import charge_log

from ssl_core.testing import BadInput, core_run, run_bad_input
from ssl_core.testing.faults import pretrain_fault_cases

GOOD = charge_log(cells=2, cycles=2, points=60)
LINES = GOOD.splitlines()  # line 1 header; cell c0 cycle 1 is lines 2..64 (60 charge + 3 discharge rows)
ARBIN = ["Data_Point", "Test_Time(s)", "Step_Index", "Cycle_Index", "Current(A)", "Voltage(V)",
         "Charge_Capacity(Ah)", "Discharge_Capacity(Ah)"]  # fmt: skip


def _edit(line: int, text: str) -> str:
    """GOOD with file line ``line`` (1-based) replaced."""
    lines = list(LINES)
    lines[line - 1] = text
    return "\n".join(lines) + "\n"


def _xlsx(sheet: str | None, header: list[str]) -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    if sheet is not None:
        ws = wb.create_sheet(sheet)
        ws.append(header)
        for k in range(10):
            ws.append([k + 1, 30.0 * k, 2, 1, 0.55, 3.8 + 0.01 * k, 0.01 * k, 0.0][: len(header)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _mat73(names: tuple[str, ...]) -> bytes:
    buf = io.BytesIO()
    with h5py.File(buf, "w", userblock_size=512) as f:
        for name in names:
            f.create_dataset(name, data=[1.0])
    data = bytearray(buf.getvalue())
    data[:19] = b"MATLAB 7.3 MAT-file"
    return bytes(data)


def _pretrain(
    name: str, content: str | bytes, message: str, *extra: str, code: int = 1, files: dict | None = None
) -> BadInput:
    argv = ("battery", "pretrain", "--data", f"{{tmp}}/{name}", "--run-dir", "{tmp}/run", *extra)
    return BadInput(f"battery-{name}", argv, code, message, files={name: content, **(files or {})})


ROW_5 = LINES[4].split(",")
CASES = [
    _pretrain("no-channel.xlsx", _xlsx(None, ARBIN), "no-channel.xlsx: <sheet>: no channel sheet (Channel_*) in the workbook; sheets: Info"),
    _pretrain("no-voltage.xlsx", _xlsx("Channel_1-008", [h for h in ARBIN if h != "Voltage(V)"]),
              "sheet Channel_1-008: Voltage(V): column not found in the header (row 1)"),
    _pretrain("milliamps.xlsx", _xlsx("Channel_1-008", [h.replace("Current(A)", "Current(mA)") for h in ARBIN]),
              "sheet Channel_1-008: Current(mA): current in mA"),
    _pretrain("no-voltage.csv", GOOD.replace("voltage", "volts", 1), "no-voltage.csv: voltage: column not found"),
    _pretrain("no-current.csv", GOOD.replace("current", "amps", 1), "no-current.csv: current: column not found"),
    _pretrain("ma-header.csv", GOOD.replace("current", "current_mA", 1), "current_ma: current in mA"),
    _pretrain("ma-values.csv", GOOD.replace(",0.500,", ",500.0,"), "current: median |current| 500.0 is not a cell current in A (in mA?)"),
    _pretrain("flipped-sign.csv", GOOD.replace(",0.500,", ",-0.500,").replace(",0.100,", ",-0.100,"),
              "current: row 2: cycle 1 charges with a negative current (flipped sign?)"),
    _pretrain("time-backwards.csv", _edit(5, ",".join([*ROW_5[:2], "1.0", *ROW_5[3:]])),
              "time-backwards.csv: time: row 5: time goes backwards (1 s after 60 s)"),
    _pretrain("no-charge-step.csv", "\n".join([LINES[0], *(line for line in LINES[1:] if not line.startswith("c0,2,") or ",-1.0," in line)]) + "\n",
              "cycle: row 65: cycle 2 has no charge step"),
    _pretrain("nan-row.csv", _edit(7, ",".join([*ROW_5[:3], "", *ROW_5[4:]])), "nan-row.csv: voltage: row 7: missing or non-numeric value (NaN row)"),
    _pretrain("labels-unknown-cell.csv", GOOD, "labels.csv: cell: row 3: cell 'zz' is not in the data (cells: c0, c1)",
              "--labels", "{tmp}/labels.csv", files={"labels.csv": "cell,cycle,capacity\nc0,1,0.9\nzz,1,0.8\n"}),
    _pretrain("labels-unknown-cycle.csv", GOOD, "labels.csv: cycle: row 2: cell 'c1' has no charge curve for cycle '7'",
              "--labels", "{tmp}/labels.csv", files={"labels.csv": "cell,cycle,capacity\nc1,7,0.9\n"}),
    _pretrain("v5.mat", b"MATLAB 5.0 MAT-file, Platform: GLNXA64".ljust(128, b" "),
              "v5.mat: <file>: MATLAB v5 file: EV-pack data must be MATLAB v7.3 (HDF5)"),
    _pretrain("other73.mat", _mat73(("B0005",)), "other73.mat: BatPackdata: struct not found (top-level names: B0005)"),
    _pretrain("empty.csv", "", "empty.csv: <rows>: needs a header and at least one data row"),
    _pretrain("ragged.csv", GOOD + "c1,2,1\n", "ragged.csv: <rows>: row 254: expected 7 fields, found 3"),
    _pretrain("junk.parquet", b"not parquet at all", "junk.parquet: <file>: not a readable Parquet file"),
    _pretrain("notes.txt", "hello", "notes.txt: <file>: unknown format .txt"),
    _pretrain("test-cell.csv", GOOD, "recipe_args.test_cells: cell 'nope' is not in the data (cells: c0, c1)", "--test-cells", "nope"),
    _pretrain("bad-loss.csv", GOOD, "recipe_args.loss: must be full, reconstruction or contrastive", "--set", "recipe_args.loss=mae", code=2),
    _pretrain("ft-steps.csv", GOOD, "recipe_args.ft_steps: must be >= 0, got -1", "--set", "recipe_args.ft_steps=-1", code=2),
    BadInput("battery-nasa-no-voltage", ("battery", "pretrain", "--data", "{tmp}/nasa", "--run-dir", "{tmp}/run"), 1,
             "charge_1.csv: voltage: column not found", files={"nasa/charge/B0005/charge_1.csv": "current,temperature,charge_time\n1.5,24,0\n"}),
    BadInput("battery-estimate-core-run", ("battery", "estimate", "{tmp}/run", "{tmp}/x.csv"), 2,
             "is a run of the 'core' plugin, not 'battery'", files={"x.csv": GOOD}, prepare=core_run),
    # resources estimated before work starts (issue 14): batch x (K + 1) views through the BiLSTM
    BadInput("battery-memory-many-views", ("battery", "pretrain", "--data", "{tmp}/log.csv", "--run-dir", "{tmp}/run",
             "--set", "train.batch_size=256", "--set", "recipe_args.num_views=7"), 1,
             "log.csv: memory: this run needs about 773.5 MB at its peak (mostly the BiLSTM over batch 256 x 8 views "
             "x 128 points x hidden 32 x 1 layers), 268.4 MB is available ($SSL_CORE_MEMORY_LIMIT); lower "
             "train.batch_size (256), recipe_args.num_views (7)", files={"log.csv": GOOD},
             env={"SSL_CORE_MEMORY_LIMIT": "256M"}),
]  # fmt: skip


# disk and permission faults (issue 14): a full disk at the first checkpoint, a read-only run folder
FAULT_FILES = {"log.csv": GOOD}
CASES += pretrain_fault_cases(
    "battery",
    ("battery", "pretrain", "--data", "{tmp}/log.csv", "--steps", "1", "--set", "train.progress=false"),
    FAULT_FILES,
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
