"""``report.html`` of a quick run holds the masked-reconstruction figures (2 test images, 1 volume slice)."""

from __future__ import annotations

import base64
import struct

import numpy as np
import pytest
from conftest import ssl

from ssl_core.testing import html_problems

QUICK = ("train.batch_size=16", "train.ckpt_every=4", "train.monitor_every=4", "train.progress=false",
         "recipe_args.max_items=64", "recipe_args.eval_max_train=64", "recipe_args.dim=16", "recipe_args.depth=1",
         "recipe_args.heads=2", "recipe_args.dec_dim=16", "recipe_args.dec_heads=2", "recipe_args.batch_3d=8")  # fmt: skip


def _figure(html: str, title: str) -> str:
    start = html.index(f"<h3>{title}</h3>")
    return html[start : html.index("</div>", start)]


def _png_size(figure: str) -> tuple[int, int]:
    data = base64.b64decode(figure.split('src="data:image/png;base64,', 1)[1].split('"', 1)[0])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.timeout(120)
def test_report_shows_reconstructions_of_test_images_and_a_volume_slice(tmp_path) -> None:
    from ssl_plugin_medical.report import TITLE_2D, TITLE_3D

    sets = [arg for s in QUICK for arg in ("--set", s)]
    ran = ssl(
        "medical", "pretrain", "--run-dir", str(tmp_path / "run"), "--steps", "4", "--device", "cpu", *sets
    )
    assert ran.exit_code == 0, ran.output
    html = (tmp_path / "run" / "report.html").read_text()
    assert html_problems(html) == [] and "figure not drawn" not in html
    images, volume = _figure(html, TITLE_2D), _figure(html, TITLE_3D)
    assert "first 2 test-split image(s) of breastmnist" in images and "gradient reconstruction" in images
    scale = 112 // 28  # 28-pixel items enlarged to about 112 pixels
    assert _png_size(images) == (5 * 29 * scale, 2 * 29 * scale)  # 5 panels x 2 images, 1-px separators
    assert _png_size(volume) == (5 * 29 * scale, 29 * scale) and "adrenalmnist3d" in volume


def test_panel_grid_places_panels_between_white_separators() -> None:
    from ssl_plugin_medical.report import panel_grid

    a, b = np.zeros((2, 3)), np.full((2, 3), 0.5)
    grid = panel_grid([[a, b], [b, a]])
    assert grid.shape == (6, 8)
    assert (
        (grid[:2, :3] == 0).all()
        and (grid[:2, 4:7] == 0.5).all()
        and (grid[2] == 1).all()
        and (grid[:, 3] == 1).all()
    )
