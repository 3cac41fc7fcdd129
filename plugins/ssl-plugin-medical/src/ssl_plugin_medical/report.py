"""The medical plugin's ``report.html`` figures (``DomainSpec.report_figures``): masked reconstructions.

The ``reconstruct`` verb's panels (:func:`ssl_plugin_medical.reconstruct.panels`: original, visible
patches, pixel reconstruction, Sobel gradient map and its reconstruction; Uni4Eye, Cai et al., MICCAI
2022, Fig. 2) of the first :data:`IMAGES` held-out images and the middle slice of the first held-out
volume, from the run's restored data (``data.pt``), drawn as PNG with :func:`ssl_core.report.array_png`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ssl_core.report import ReportFigure, array_png
from ssl_plugin_medical.data import MedicalData
from ssl_plugin_medical.reconstruct import TITLES, panels

__all__ = ["IMAGES", "TITLE_2D", "TITLE_3D", "panel_grid", "report_figures"]

IMAGES = 2
"""Held-out 2D images shown (the first ones of the test split)."""
TITLE_2D = "Masked reconstruction of held-out images"
TITLE_3D = "Masked reconstruction of a held-out volume (middle slice)"
_PX = 112
"""Panels are enlarged (nearest neighbour) to about this many pixels high."""


def panel_grid(rows: list[list[np.ndarray]]) -> np.ndarray:
    """The panels of each row side by side, rows stacked, separated by 1-pixel white lines."""
    lines = [
        np.concatenate([np.pad(p, ((0, 1), (0, 1)), constant_values=1.0) for p in row], axis=1)
        for row in rows
    ]
    return np.concatenate(lines, axis=0)


def _figure(title: str, rows: list[list[np.ndarray]], what: str, seed: int) -> ReportFigure:
    grid = panel_grid(rows)
    scale = max(1, _PX // rows[0][0].shape[0])
    caption = (
        f"{what}; left to right: {', '.join(TITLES)}. 75% of the patches are masked (seed {seed}); the "
        "reconstructions keep the visible patches and show the decoders' predictions of the masked ones."
    )
    return ReportFigure(title, png=array_png(grid, scale=scale, value_range=(0.0, 1.0)), caption=caption)


def report_figures(run_dir: Path, run: Any, seed: int = 0) -> list[ReportFigure]:
    """Up to two figures: :data:`IMAGES` 2D test images, and one 3D test volume's middle slice."""
    data = run.recipe.data
    if not isinstance(data, MedicalData):
        return []
    figures = []
    for ndim in sorted(data.dims):
        split = "test" if ndim in data.splits.get("test", {}) else "train"
        x = data.splits[split][ndim].x
        count = min(IMAGES if ndim == 2 else 1, len(x))
        if count == 0:
            continue
        rows = [panels(run.module, x[i], seed) for i in range(count)]
        name = data.names.get(ndim, data.name)
        if ndim == 2:
            what = f"The first {count} {split}-split image(s) of {name}"
            figures.append(_figure(TITLE_2D, rows, what, seed))
        else:
            what = f"The middle slice of the first {split}-split volume of {name}"
            figures.append(_figure(TITLE_3D, rows, what, seed))
    return figures
