"""report.html: written by pretrain, demo, evaluate and `ssl report`; self-contained, escaped, well formed.

The HTML is checked with ssl_core.testing.html_problems (html.parser-based) in every run; the
browser test renders it with a real headless Chromium where one is installed.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from ssl_core.engine import train
from ssl_core.errors import ConfigError
from ssl_core.lifecycle import PretrainOptions, evaluate_run, pretrain, run_demo
from ssl_core.report import REPORT_FILE, write_report
from ssl_core.testing import html_problems, tiny_run_config

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:|//)""", re.IGNORECASE)


def _check(text: str) -> None:
    assert html_problems(text) == []
    assert not EXTERNAL.search(text) and "<script" not in text.lower() and "<link" not in text.lower()


def test_pretrain_writes_a_self_contained_report(toy_pm, tmp_path):
    run_dir = tmp_path / "run"
    lines: list[str] = []
    pretrain("toy", PretrainOptions(run_dir=run_dir), echo=lines.append)
    assert f"report: {run_dir / REPORT_FILE}" in lines
    text = (run_dir / REPORT_FILE).read_text(encoding="utf-8")
    _check(text)
    for heading in (
        "Summary",
        "Alarms",
        "SSL versus baselines",
        "Training curves",
        "Figures",
        "Resolved config",
        "Environment",
    ):
        assert f"<h2>{heading}</h2>" in text
    assert "Not evaluated yet" in text and "recipe: toy/default" in text
    assert "loss (no-ssl run)" in text  # the baseline run's curve joins the loss chart
    assert "PCA" in text and "coloured by y" in text and ">y=0<" in text  # the core's figure, by label
    assert "<h3>toy &lt;means&gt;</h3>" in text and "(x &lt; 1 &amp; y)" in text  # the plugin's figures
    assert 'src="data:image/png;base64,' in text
    assert not list(run_dir.glob(".report.html.*"))  # written through a temporary file


def test_evaluate_rewrites_the_report_with_the_comparison_table(toy_pm, tmp_path):
    run_dir = tmp_path / "run"
    pretrain("toy", PretrainOptions(run_dir=run_dir), echo=lambda _: None)
    rows = evaluate_run(run_dir, domain="toy", quick=True)
    saved = json.loads((run_dir / "evaluation.json").read_text())
    assert [r["task"] for r in saved["rows"]] == [r.task for r in rows] and saved["quick"] is True
    assert [r["verdict"] for r in saved["rows"]] == [r.verdict for r in rows]
    text = (run_dir / REPORT_FILE).read_text(encoding="utf-8")
    _check(text)
    assert "Not evaluated yet" not in text and "(quick evaluation)" in text
    assert "vs random init" in text and "vs no-ssl" in text
    for row in rows:
        assert f">{row.verdict}</td>" in text


def test_demo_writes_one_report_after_the_evaluation(toy_pm, tmp_path):
    result = run_demo("toy", tmp_path / "demo", quick=True)
    text = (tmp_path / "demo" / REPORT_FILE).read_text(encoding="utf-8")
    _check(text)
    assert result.rows and "vs random init" in text


def _core_run(tmp_path: Path, **train_keys) -> Path:
    run_dir = tmp_path / "core"
    train(
        tiny_run_config("core/synthetic", {"n_train": 128, "dim": 8}, steps=3, batch_size=16, **train_keys),
        run_dir,
    )
    return run_dir


def test_config_values_are_escaped(tmp_path):
    run_dir = _core_run(tmp_path, mlflow_experiment="<b>bold</b> & <script>alert(1)</script>")
    text = write_report(run_dir, figures=False).read_text(encoding="utf-8")
    _check(text)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<b>bold" not in text


def test_alarms_are_listed_with_their_steps(tmp_path):
    run_dir = _core_run(tmp_path)
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    for row, flag in zip(rows, (0, 1, 1)):
        row.update(
            {"alarm/collapse": flag, "alarm/stalled": 0, "monitor/rankme": 1.01, "nonfinite_skipped": 2}
        )
    (run_dir / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    text = write_report(run_dir, figures=False).read_text(encoding="utf-8")
    _check(text)
    assert "<b>collapse</b> from step 2 to step 3" in text and "non-finite steps skipped</b>: 2" in text
    assert "stalled</b> from" not in text


def test_a_failing_plugin_figure_is_a_note_not_a_failed_report(toy_pm, tmp_path, monkeypatch):
    import toy_domain

    def boom(run_dir, run):
        raise RuntimeError("boom <x>")

    monkeypatch.setattr(toy_domain, "report_figures", boom)
    run_dir = tmp_path / "run"
    pretrain("toy", PretrainOptions(run_dir=run_dir, report=False), echo=lambda _: None)
    assert not (run_dir / REPORT_FILE).exists()
    text = write_report(run_dir).read_text(encoding="utf-8")
    _check(text)
    assert "figure not drawn: RuntimeError: boom &lt;x&gt;" in text and "PCA" in text


def test_ssl_report_command(tmp_path, cli_runner):
    run_dir = _core_run(tmp_path)
    out = cli_runner.ssl("report", str(run_dir))
    assert out.exit_code == 0, out.output
    assert out.output.strip() == f"wrote {run_dir / REPORT_FILE}"
    _check((run_dir / REPORT_FILE).read_text(encoding="utf-8"))
    bad = cli_runner.ssl("report", str(tmp_path / "core" / "checkpoints"))
    assert bad.exit_code == 2 and "not a run directory (config.yaml missing)" in bad.output
    assert "Traceback" not in bad.output and len(bad.output.strip().splitlines()) == 1
    assert not (tmp_path / "core" / "checkpoints" / REPORT_FILE).exists()
    with pytest.raises(ConfigError, match="config.yaml missing"):
        write_report(tmp_path)


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def test_the_report_renders_in_a_headless_browser(toy_pm, tmp_path):
    browser = next((shutil.which(b) for b in ("chromium", "chromium-browser") if shutil.which(b)), None)
    if browser is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    run_dir = tmp_path / "run"
    pretrain("toy", PretrainOptions(run_dir=run_dir), echo=lambda _: None)
    evaluate_run(run_dir, domain="toy", quick=True)
    shot = tmp_path / "shot.png"
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,2000",
           (run_dir / REPORT_FILE).resolve().as_uri()]  # fmt: skip
    subprocess.run(cmd, check=True, capture_output=True, timeout=120)
    assert _png_size(shot) == (1200, 2000)
    plt = pytest.importorskip("matplotlib.pyplot", reason="pixel check needs matplotlib (the plot extra)")
    pixels = plt.imread(str(shot))
    assert pixels.std() > 0.05  # text, tables and charts, not a blank page
    assert (pixels[:, :, :3].max(axis=2) - pixels[:, :, :3].min(axis=2)).max() > 0.3  # coloured curves
