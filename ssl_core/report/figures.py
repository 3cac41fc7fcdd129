"""Figures of ``report.html``: the :class:`ReportFigure` type, the core's embedding PCA, plugin figures.

The core draws one generic figure: the first two principal components of the trained encoder's
embeddings of the recipe's held-out data (``recipe.eval_data``, at most :data:`PCA_MAX_SAMPLES`
samples), coloured by ``recipe.label_key`` where the recipe has labels (classification labels: one
colour per class; anything else: one colour). A plugin adds its own figures with
``DomainSpec.report_figures`` (``"module:attr"`` of ``figures(run_dir, loaded_run) ->
list[ReportFigure]``). A figure that fails is shown as a one-line note, never as a failed report.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssl_core.report.svg import scatter_chart

if TYPE_CHECKING:
    from ssl_core.engine.run import LoadedRun

__all__ = ["PCA_MAX_SAMPLES", "ReportFigure", "core_figures", "pca_figure", "plugin_figures"]

PCA_MAX_SAMPLES = 1000
"""Held-out samples embedded for the PCA figure (the first ones, in dataset order)."""
_MAX_CLASSES = 20
"""More distinct labels than this are not treated as classes (one colour, a note instead)."""


@dataclass
class ReportFigure:
    """One figure of ``report.html``: inline SVG text or PNG bytes (base64-inlined), a title, a caption.

    Attributes:
        title: the figure's heading.
        svg: an ``<svg>...</svg>`` element (e.g. from :func:`ssl_core.report.scatter_chart`); it is
            inserted as is, so it must be trusted markup without scripts or external references.
        png: PNG bytes (e.g. a matplotlib figure saved to a ``BytesIO``), inlined as a data URI.
        caption: one paragraph under the figure (escaped).
    """

    title: str
    svg: str = ""
    png: bytes = b""
    caption: str = ""

    def png_uri(self) -> str:
        """``data:image/png;base64,...`` of :attr:`png`."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _pca2(emb: Any) -> Any:
    """The first two principal-component coordinates of ``emb`` (N, D) and their variance shares."""
    import numpy as np

    x = np.asarray(emb, dtype=np.float64)
    x = x - x.mean(axis=0, keepdims=True)
    _, s, vt = np.linalg.svd(x, full_matrices=False)
    share = (s**2) / max(float((s**2).sum()), 1e-300)
    k = min(2, vt.shape[0])
    coords = x @ vt[:k].T
    if k < 2:
        coords = np.concatenate([coords, np.zeros((len(x), 2 - k))], axis=1)
    return coords, share[:2]


def pca_figure(run: LoadedRun) -> ReportFigure | None:
    """The embedding PCA of ``run``'s held-out data (``None`` when the recipe has none)."""
    import torch

    from ssl_core.evaluation.generic import embed_dataset

    data = run.recipe.eval_data
    if data is None or len(data) < 3:  # type: ignore[arg-type]
        return None
    key = run.recipe.label_key
    subset = torch.utils.data.Subset(data, range(min(len(data), PCA_MAX_SAMPLES)))  # type: ignore[arg-type]
    with torch.no_grad():
        emb, labels = embed_dataset(run.module, subset, label_key=key, collate=run.recipe.collate)
    coords, share = _pca2(emb.float().numpy())
    groups, note = None, "no labels in the held-out data: one colour"
    if labels is not None and labels.ndim == 1 and not labels.is_floating_point():
        values = [str(int(v)) for v in labels.tolist()]
        if len(set(values)) <= _MAX_CLASSES:
            groups, note = [f"{key}={v}" for v in values], f"coloured by {key}"
        else:
            note = f"{len(set(values))} distinct {key} values: one colour"
    title = f"Embeddings of the held-out data, PCA ({len(coords)} samples)"
    svg = scatter_chart(
        "",
        [(float(a), float(b)) for a, b in coords],
        groups,
        xlabel=f"PC1 ({share[0]:.0%} of variance)",
        ylabel=f"PC2 ({share[1]:.0%})" if len(share) > 1 else "PC2",
    )
    caption = (
        f"The trained encoder's embeddings (dimension {emb.shape[1]}) of the first {len(coords)} "
        f"held-out samples, projected on their first two principal components; {note}."
    )
    return ReportFigure(title=title, svg=svg, caption=caption)


def _guarded(name: str, make: Callable[[], list[ReportFigure]]) -> list[ReportFigure]:
    try:
        return make()
    except Exception as exc:  # a figure must not take the whole report down
        return [ReportFigure(title=name, caption=f"figure not drawn: {type(exc).__name__}: {exc}")]


def core_figures(run_dir: Path) -> tuple[list[ReportFigure], Any]:
    """The core's figures of ``run_dir`` and the loaded run (``None`` when it cannot be loaded)."""
    from ssl_core.engine.checkpoint import has_checkpoint
    from ssl_core.engine.run import load_run

    if not has_checkpoint(run_dir):
        return [], None
    holder: list[Any] = []

    def make() -> list[ReportFigure]:
        holder.append(load_run(run_dir))
        fig = pca_figure(holder[0])
        return [fig] if fig is not None else []

    figures = _guarded("Embeddings", make)
    return figures, (holder[0] if holder else None)


def plugin_figures(run_dir: Path, run: Any) -> list[ReportFigure]:
    """The figures of the plugin owning the run (``DomainSpec.report_figures``), if it declares any."""
    from ssl_core.plugins.manager import get_plugin_manager
    from ssl_core.plugins.refs import resolve_object

    if run is None:
        return []
    spec = get_plugin_manager().domain_specs().get(run.config.recipe.split("/", 1)[0])
    if spec is None or not spec.report_figures:
        return []
    ref = spec.report_figures
    return _guarded(ref, lambda: list(resolve_object(ref)(Path(run_dir), run)))
