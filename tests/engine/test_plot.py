"""plot_run: PNG curves from metrics.jsonl, clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ssl_core.engine.plot import plot_run, read_metrics
from ssl_core.errors import DataError


def _write(run_dir: Path, rows: list[dict[str, object]]) -> None:
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def test_read_metrics_parses_nonfinite_strings(tmp_path: Path) -> None:
    _write(tmp_path, [{"step": 1, "loss": "nan", "lr": 0.1, "note": "x", "flag": True}])
    (row,) = read_metrics(tmp_path / "metrics.jsonl")
    assert set(row) == {"step", "loss", "lr"} and row["loss"] != row["loss"]


def test_plot_run_writes_pngs(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib (the 'plot' extra) is not installed")
    rows = [
        {"step": s, "epoch": 0, "loss": 1.0 / s, "loss/ntxent": 2.0 / s, "lr": 0.01 * s, "wd": 0.05,
         "samples_per_s": 100.0, **({"monitor/rankme": float(s)} if s % 2 == 0 else {})}
        for s in range(1, 11)
    ]  # fmt: skip
    rows[3]["loss"] = "inf"
    _write(tmp_path, rows)
    paths = plot_run(tmp_path)
    assert [p.name for p in paths] == ["loss.png", "schedule.png", "monitors.png", "throughput.png"]
    for p in paths:
        assert p.parent == tmp_path / "plots" and p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_run_only_groups_with_data(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="matplotlib (the 'plot' extra) is not installed")
    _write(tmp_path, [{"step": 1, "loss": 1.0}, {"step": 2, "loss": 0.5}])
    assert [p.name for p in plot_run(tmp_path)] == ["loss.png"]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (None, "metrics.jsonl"),
        ("", "metrics.jsonl"),
        ('{"step": 1}\n{oops\n', "line 2"),
        ("[1, 2]\n", "line 1"),
        ('{"loss": 1.0}\n', "line 1"),
    ],
)
def test_bad_metrics_file_names_field(tmp_path: Path, content: str | None, field: str) -> None:
    if content is not None:
        (tmp_path / "metrics.jsonl").write_text(content, encoding="utf-8")
    with pytest.raises(DataError) as info:
        plot_run(tmp_path)
    assert info.value.field == field and info.value.file.endswith("metrics.jsonl")
    assert not (tmp_path / "plots").exists()


def test_missing_matplotlib_gives_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def fake_import(name: str, *args: object, **kwargs: object) -> object:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("no matplotlib")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", fake_import)
    _write(tmp_path, [{"step": 1, "loss": 1.0}])
    with pytest.raises(ImportError, match=r"pip install 'ssl-core\[plot\]'"):
        plot_run(tmp_path)
