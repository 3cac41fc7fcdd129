"""``report.html``: one self-contained page per run directory, written atomically.

:func:`write_report` reads the run directory (``config.yaml``, ``environment.json``,
``metrics.jsonl``, ``evaluation.json``, the baseline runs' ``metrics.jsonl``, the checkpoint for
the figures) and writes ``RUN_DIR/report.html``: inline CSS, inline SVG charts, PNG figures as data
URIs; no script, no external stylesheet, font or image, so it opens offline. When the run logs to
MLflow (``train.loggers``), the report is also logged there as an artifact.
"""

from __future__ import annotations

import json
import sys
from html import escape
from pathlib import Path
from typing import Any

from ssl_core.report.figures import ReportFigure, core_figures, plugin_figures
from ssl_core.report.sections import (
    alarms_section,
    comparison_section,
    config_section,
    curves_section,
    environment_section,
    summary_section,
)
from ssl_core.utils.atomic import atomic_writer

__all__ = ["REPORT_FILE", "render_report", "write_report"]

REPORT_FILE = "report.html"
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1120px;padding:0 16px;color:#1b1b1b;line-height:1.4}
h1{font-size:1.5em;margin-bottom:0}h2{border-bottom:1px solid #ccc;padding-bottom:3px;margin-top:1.6em}
.sub{color:#555;margin-top:2px}table{border-collapse:collapse;font-size:.9em}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
table.cmp td:nth-child(n+4):nth-child(-n+7){text-align:right;font-variant-numeric:tabular-nums}
tr.group td{background:#f3f3f3;font-weight:600}.better{color:#116611;font-weight:600}
.worse{color:#b00020;font-weight:600}.same{color:#555}.kv th{background:#fafafa;font-weight:500}
pre{background:#f7f7f7;border:1px solid #e3e3e3;padding:8px;overflow:auto;font-size:.85em}
.grid{display:flex;flex-wrap:wrap;gap:8px}.fig{border:1px solid #e3e3e3;padding:4px;max-width:760px}
svg.chart{font-size:10px;fill:#333}svg.chart .title{font-size:12px;font-weight:600}
svg.chart .plot{fill:none;stroke:#999}svg.chart .grid{stroke:#eee}svg.chart .axis{stroke:#999}
ul.alarms li{color:#b00020}.ok{color:#116611}.meta,.caption{color:#555;font-size:.9em}
ol.notes{font-size:.85em;color:#444;list-style:none;padding-left:0}
"""


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_rows(path: Path) -> list[dict[str, float]]:
    from ssl_core.engine.plot import read_metrics
    from ssl_core.errors import DataError

    try:
        return read_metrics(path)
    except DataError:
        return []


def _figure_html(fig: ReportFigure) -> str:
    body = fig.svg
    if fig.png:
        body += f'<img src="{fig.png_uri()}" alt="{escape(fig.title)}">'
    caption = f'<p class="caption">{escape(fig.caption)}</p>' if fig.caption else ""
    return f'<div class="fig"><h3>{escape(fig.title)}</h3>{body}{caption}</div>'


def _baselines(run_dir: Path) -> dict[str, list[dict[str, float]]]:
    """``metrics.jsonl`` rows of the baseline runs (sub-folders that are run directories)."""
    found = {}
    for sub in sorted(p for p in run_dir.iterdir() if p.is_dir()):
        if (sub / "metrics.jsonl").is_file() and (sub / "config.yaml").is_file():
            found[sub.name] = _read_rows(sub / "metrics.jsonl")
    return found


def render_report(run_dir: str | Path, *, figures: bool = True) -> str:
    """The HTML text of ``run_dir``'s report (``figures=False``: no checkpoint is loaded)."""
    import yaml

    from ssl_core.engine.trackers.evaluation import read_evaluation

    run_dir = Path(run_dir)
    config_text = (
        (run_dir / "config.yaml").read_text(encoding="utf-8") if (run_dir / "config.yaml").is_file() else ""
    )
    config = yaml.safe_load(config_text) if config_text else {}
    config = config if isinstance(config, dict) else {}
    env = _read_json(run_dir / "environment.json")
    rows = _read_rows(run_dir / "metrics.jsonl")
    evaluation = read_evaluation(run_dir)
    figs: list[ReportFigure] = []
    if figures:
        figs, run = core_figures(run_dir)
        figs += plugin_figures(run_dir, run)
    header, cmp_rows = evaluation if evaluation is not None else (None, [])
    sections = [
        ("Summary", summary_section(config, env, rows)),
        ("Alarms", alarms_section(run_dir, rows)),
        ("SSL versus baselines", comparison_section(header, cmp_rows)),
        ("Training curves", curves_section(rows, _baselines(run_dir))),
        ("Figures", '<div class="grid">' + "".join(_figure_html(f) for f in figs) + "</div>" if figs else ""),
        ("Resolved config", config_section(config_text)),
        ("Environment", environment_section(env)),
    ]
    title = f"ssl-core run report: {run_dir.name}"
    body = "".join(f"<h2>{escape(name)}</h2>\n{html}\n" for name, html in sections if html)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{escape(title)}</h1>\n<p class="sub">{escape(str(run_dir.resolve()))}</p>\n{body}</body>\n</html>\n'
    )


def _log_to_mlflow(run_dir: Path, path: Path) -> None:
    from ssl_core.engine.trackers.mlflow_tracker import read_mlflow_run

    if read_mlflow_run(run_dir) is None:
        return
    try:
        from ssl_core.engine.trackers.mlflow_tracker import MlflowTracker

        MlflowTracker(run_dir).log_artifact(path, "report")
    except Exception as exc:  # the report on disk is what matters; the copy is a convenience
        print(f"warning: report.html not logged to MLflow: {type(exc).__name__}: {exc}", file=sys.stderr)


def write_report(run_dir: str | Path, *, figures: bool = True) -> Path:
    """Write ``RUN_DIR/report.html`` atomically and return its path.

    Raises:
        ConfigError: ``run_dir`` is not a run directory (no ``config.yaml``).
    """
    from ssl_core.errors import ConfigError

    run_dir = Path(run_dir)
    if not (run_dir / "config.yaml").is_file():
        raise ConfigError(run_dir / "config.yaml", "<file>", "not a run directory (config.yaml missing)")
    text = render_report(run_dir, figures=figures)
    path = run_dir / REPORT_FILE
    with atomic_writer(path) as fh:
        fh.write(text.encode("utf-8"))
    _log_to_mlflow(run_dir, path)
    return path
