"""The run report: one self-contained ``report.html`` per run directory (``ssl report RUN_DIR``).

``ssl-<domain> pretrain`` writes it at the end, ``ssl demo`` once per domain after the evaluation,
and every evaluation rewrites an existing one so it shows the latest ``evaluation.json``. It holds
the resolved config, the environment, the loss / learning-rate / monitor curves (inline SVG), the
comparison table with intervals and verdicts, the alarms and figures: the core's embedding PCA
coloured by label, plus a plugin's own through ``DomainSpec.report_figures`` returning
:class:`ReportFigure` objects (draw them with :func:`line_chart` / :func:`scatter_chart` or as PNG
bytes, e.g. :func:`array_png` of an image or spectrogram). Nothing in the page loads from the network.
"""

from __future__ import annotations

from ssl_core.report.figures import ReportFigure
from ssl_core.report.page import REPORT_FILE, render_report, write_report
from ssl_core.report.raster import array_png
from ssl_core.report.svg import line_chart, scatter_chart

__all__ = [
    "REPORT_FILE",
    "ReportFigure",
    "array_png",
    "line_chart",
    "render_report",
    "scatter_chart",
    "write_report",
]
