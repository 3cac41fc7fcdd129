"""``report.html`` of a quick voice-conversion run holds the source / converted / target log-mel figure."""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import numpy as np
import pytest

from ssl_core.testing import html_problems

QUICK = ("train.steps=3", "train.batch_size=4", "recipe_args.dim=32", "recipe_args.ffn=64", "recipe_args.layers=1",
         "recipe_args.acoustic_hidden=32", "recipe_args.content_hidden=32", "train.progress=false")  # fmt: skip


@pytest.mark.timeout(120)
def test_report_shows_the_converted_spectrogram(cli_runner, tmp_path: Path) -> None:
    from ssl_plugin_speech.report import TITLE

    sets = [arg for s in QUICK for arg in ("--set", s)]
    result = cli_runner.ssl(
        "speech", "pretrain", "--run-dir", str(tmp_path / "run"), "--device", "cpu", *sets
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "run" / "report.html").read_text()
    assert html_problems(html) == [] and "figure not drawn" not in html
    start = html.index(f"<h3>{TITLE}</h3>")
    figure = html[start : html.index("</div>", start)]
    assert "converted to p225" in figure and "The source says a held-out sentence" in figure
    png = base64.b64decode(figure.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0])
    width, height = struct.unpack(">II", png[16:24])
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and height == 3 * 80 + 2 * 2 and 50 < width <= 451


def test_stacked_puts_the_first_panel_on_top_after_the_flip() -> None:
    from ssl_plugin_speech.report import stacked

    first, second = np.zeros((3, 2)), np.ones((5, 2))  # (T, F) log-mels of 3 and 5 frames
    img = stacked([first, second])[::-1]  # as drawn: array_png(flip=True)
    assert img.shape == (2 + 2 + 2, 5)
    assert (img[:2, :3] == 0).all() and (img[:2, 3:] == 0).all()  # first panel, padded with the low value
    assert (img[2:4] == 1).all() and (img[4:] == 1).all()  # separator (high value), then the second panel
