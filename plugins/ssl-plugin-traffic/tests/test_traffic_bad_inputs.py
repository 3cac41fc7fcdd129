"""The traffic plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from ssl_core.testing import BadInput, core_run, run_bad_input
from ssl_core.testing.faults import cached_run, full_disk, read_only

SERIES = "s0,s1,s2\n" + "".join(f"{50 + i % 5},{60 - i % 3},{55 + i % 4}\n" for i in range(300))
ADJ = "1,1,0\n1,1,1\n0,1,1\n"


def _dead(cell: str, *sensors: int) -> str:
    """SERIES with every reading of the columns ``sensors`` replaced by ``cell`` (a missing value)."""
    rows = [r.split(",") for r in SERIES.splitlines()]
    for row in rows[1:]:
        for sensor in sensors:
            row[sensor] = cell
    return "\n".join(",".join(r) for r in rows) + "\n"


def _npz(**arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _pretrain(case: str, files: dict[str, str | bytes], code: int, message: str, *extra: str) -> BadInput:
    argv = ("traffic", "pretrain", "--data", "{tmp}/x.csv", "--run-dir", "{tmp}/run", "--steps", "1", *extra)
    return BadInput(f"traffic-{case}", argv, code, message, files={"x.csv": SERIES, "a.csv": ADJ, **files})


CASES = [
    _pretrain("empty-csv", {"x.csv": ""}, 1, "x.csv: rows: needs a header and at least one row of readings, got 0"),
    _pretrain("header-only", {"x.csv": "s0,s1\n"}, 1, "needs a header and at least one row of readings, got 1"),
    _pretrain("ragged", {"x.csv": "s0,s1\n1,2\n3\n"}, 1, "x.csv: line 3: has 1 fields, header has 2"),
    _pretrain("text-reading", {"x.csv": "s0,s1\n1,2\n3,fast\n"}, 1, "x.csv: values: non-numeric reading"),
    _pretrain("negative", {"x.csv": "s0,s1\n1,2\n3,-4\n"}, 1, "negative readings"),
    _pretrain("all-missing", {"x.csv": "s0,s1\n0,0\n0,nan\n"}, 1, "every reading is missing"),
    _pretrain("empty-graph", {"a.csv": ""}, 1, "a.csv:", "--graph", "{tmp}/a.csv"),
    # degenerate data that makes the task meaningless (issue 14)
    _pretrain("dead-sensor-zeros", {"x.csv": _dead("0", 1)}, 1,
              "x.csv: sensor s1: every reading of this sensor is missing (0, NaN or inf); remove its column",
              "--graph", "{tmp}/a.csv"),
    _pretrain("dead-sensor-nan", {"x.csv": _dead("nan", 2)}, 1, "x.csv: sensor s2: every reading of this sensor",
              "--graph", "{tmp}/a.csv"),
    _pretrain("dead-sensors-two", {"x.csv": _dead("inf", 0, 2)}, 1,
              "x.csv: sensor s0: every reading of this sensor is missing (0, NaN or inf) (2 such sensors: s0, s2)",
              "--graph", "{tmp}/a.csv"),
    _pretrain("zero-adjacency-csv", {"a.csv": "0,0,0\n0,0,0\n0,0,0\n"}, 1,
              "a.csv: adjacency: every weight is 0: a graph without edges", "--graph", "{tmp}/a.csv"),
    _pretrain("zero-adjacency-npz", {"adj.npz": _npz(adj_mx=np.zeros((3, 3)))}, 1,
              "adj.npz: adjacency: every weight is 0", "--graph", "{tmp}/adj.npz"),
    _pretrain("device-tpu", {}, 2, "unknown device 'tpu'", "--graph", "{tmp}/a.csv", "--device", "tpu"),
    _pretrain("grad-accum-zero", {}, 2, "train.grad_accum: must be >= 1, got 0", "--set", "train.grad_accum=0"),
    _pretrain("rnn-units-zero", {}, 2, "(--set recipe_args.rnn_units=0): recipe_args.rnn_units: rnn_units must be >= 1",
              "--graph", "{tmp}/a.csv", "--set", "recipe_args.rnn_units=0"),
    BadInput("traffic-not-an-npz", ("traffic", "pretrain", "--data", "{tmp}/x.npz", "--run-dir", "{tmp}/run"), 1,
             "x.npz: <file>: not a readable .npz archive", files={"x.npz": "x\n"}),
    BadInput("traffic-missing-data", ("traffic", "pretrain", "--data", "{tmp}/nope.csv"), 2, "does not exist"),
    *(
        BadInput(f"traffic-{verb}-core-run", ("traffic", *argv), 2, "is a run of the 'core' plugin, not 'traffic'",
                 files={"x.csv": SERIES}, prepare=core_run)
        for verb, argv in [
            ("evaluate", ("evaluate", "{tmp}/run")),
            ("embed", ("embed", "{tmp}/run", "{tmp}/x.csv", "-o", "{tmp}/o.npy")),
            ("forecast", ("forecast", "{tmp}/run", "--input", "{tmp}/x.csv", "-o", "{tmp}/o.csv")),
        ]
    ),
]  # fmt: skip


TINY = ("--set", "train.batch_size=8", "--set", "train.progress=false", "--set", "recipe_args.rnn_units=4",
        "--set", "recipe_args.prototype_num=2", "--set", "recipe_args.prototype_dim=2",
        "--set", "recipe_args.d_node=2", "--set", "recipe_args.d_tod=2")  # fmt: skip
PRETRAIN = ("traffic", "pretrain", "--data", "{tmp}/x.csv", "--graph", "{tmp}/a.csv", "--steps", "1", *TINY)
TRAINED = cached_run(PRETRAIN, {"x.csv": SERIES, "a.csv": ADJ})
OUTPUTS = {
    "embed": ("embed", "{tmp}/run", "{tmp}/x.csv", "-o"),
    "forecast": ("forecast", "{tmp}/run", "--input", "{tmp}/x.csv", "-o"),
}
SUFFIX = {"embed": "npy", "forecast": "npz"}

# disk and permission faults (issue 14): a full disk mid-write and a read-only folder, for pretrain and
# every verb that writes an output
FAULTS = [
    BadInput("traffic-pretrain-disk-full", (*PRETRAIN, "--run-dir", "{tmp}/run"), 1,
             "No space left on device: {tmp}/run/checkpoints/step_1.pt", files={"x.csv": SERIES, "a.csv": ADJ},
             fault=lambda: full_disk("step_*.pt")),
    BadInput("traffic-pretrain-read-only-run-dir", (*PRETRAIN, "--run-dir", "{tmp}/ro"), 1,
             "Permission denied: {tmp}/ro", files={"x.csv": SERIES, "a.csv": ADJ, "ro/.keep": ""},
             fault=lambda: read_only(Path("ro"))),
    *(
        BadInput(f"traffic-{verb}-disk-full", ("traffic", *argv, f"{{tmp}}/o.{SUFFIX[verb]}"), 1,
                 f"No space left on device: {{tmp}}/o.{SUFFIX[verb]}", files={"x.csv": SERIES}, prepare=TRAINED,
                 fault=lambda s=SUFFIX[verb]: full_disk(f"o.{s}"))
        for verb, argv in OUTPUTS.items()
    ),
    *(
        BadInput(f"traffic-{verb}-read-only", ("traffic", *argv, f"{{tmp}}/ro/o.{SUFFIX[verb]}"), 1,
                 "Permission denied: {tmp}/ro", files={"x.csv": SERIES, "ro/.keep": ""}, prepare=TRAINED,
                 fault=lambda: read_only(Path("ro")))
        for verb, argv in OUTPUTS.items()
    ),
]  # fmt: skip
CASES += FAULTS
CASES.append(  # resources estimated before work starts (issue 14), under a small fake limit
    BadInput("traffic-memory-estimate", (*PRETRAIN, "--run-dir", "{tmp}/run"), 1,
             "x.csv: memory: this run needs about", files={"x.csv": SERIES, "a.csv": ADJ},
             env={"SSL_CORE_MEMORY_LIMIT": "64K"})
)  # fmt: skip
CASES.append(
    _pretrain("not-utf8", {"x.csv": b"s0,s1\n\x80\xff,1\n"}, 1, "x.csv: <file>: not UTF-8 text (byte 6)")
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
