"""The tabular plugin's share of the bad-input corpus (``ssl_core.testing.bad_inputs``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssl_core.testing import BadInput, run_bad_input

GOOD = "a,b,c,y\n" + "".join(f"{i},{i % 7}.5,{'xyz'[i % 3]},{i % 2}\n" for i in range(40))


def _pretrain(name: str, text: str | bytes, code: int, message: str, *extra: str) -> BadInput:
    argv = (
        "tabular",
        "pretrain",
        "--data",
        f"{{tmp}}/{name}",
        "--target",
        "y",
        "--run-dir",
        "{tmp}/run",
        *extra,
    )
    return BadInput(f"tabular-{name}", argv, code, message, files={name: text})


def _core_run(root: Path) -> None:
    from ssl_core.config import load_run_config
    from ssl_core.engine import train

    args = {"n_train": 128, "n_eval": 32, "hidden": 8, "embed_dim": 4, "proj_dim": 8}
    train_args = {"steps": 2, "batch_size": 32, "device": "cpu", "progress": False}
    train(
        load_run_config({"recipe": "core/synthetic", "recipe_args": args, "train": train_args}), root / "run"
    )


CASES = [
    _pretrain("empty.csv", "", 1, "empty.csv: <file>: empty file (no header and no rows)"),
    _pretrain("blank-lines.csv", "\n\n  \n", 1, "empty file (no header and no rows)"),
    _pretrain("header-only.csv", "a,b,y\n", 1, "<rows>: the file has a header but no data rows"),
    _pretrain("ragged.csv", "a,b,y\n1,2,0\n3,4\n", 1, "line 3: expected 3 fields, found 2 (ragged row)"),
    _pretrain("duplicate-header.csv", "a,a,y\n1,2,0\n", 1, "<header>: blank or duplicate column names"),
    _pretrain("blank-header.csv", "a,,y\n1,2,0\n", 1, "<header>: blank or duplicate column names"),
    _pretrain("inf.csv", GOOD + "3,inf,x,1\n", 1, "inf.csv: b: line 42: infinite value 'inf'"),
    _pretrain("minus-infinity.csv", GOOD.replace("\n5,", "\n-Infinity,", 1), 1, "a: line 7: infinite value '-Infinity'"),
    _pretrain("overflow.csv", GOOD + "1e999,1,x,0\n", 1, "a: line 42: infinite value '1e999'"),
    _pretrain("bad-target.csv", GOOD, 1, "nosuch", "--target", "nosuch"),
    _pretrain("device-tpu.csv", GOOD, 2, "unknown device 'tpu'", "--device", "tpu"),
    _pretrain("unknown-arg.csv", GOOD, 2, "recipe_args.nope: unknown key", "--set", "recipe_args.nope=1"),
    _pretrain("bad-task.csv", GOOD, 2, "Invalid value for '--task'", "--task", "clustering"),
    _pretrain("lr-inf.csv", GOOD, 2, "optim.lr: must be a finite number > 0.0, got inf", "--set", "optim.lr=.inf"),
    BadInput("tabular-missing-data", ("tabular", "pretrain", "--data", "{tmp}/nope.csv"), 2, "does not exist"),
    BadInput("tabular-evaluate-core-run", ("tabular", "evaluate", "{tmp}/run"), 2, "core/synthetic",
             prepare=_core_run),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
