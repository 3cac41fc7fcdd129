"""The speech plugin's ``report.html`` figure (``DomainSpec.report_figures``): a converted spectrogram.

For a ``speech/vc`` run: the log-mel of one held-out source utterance (a non-target speaker saying a
held-out sentence, as the conversion metrics use), the run's conversion of it to the target speaker
(adversarial speaker disentanglement on TERA features; Liu et al., TASLP 2021 for TERA) and, when the
corpus is parallel, the target speaker's own recording of that sentence. Drawn as one PNG heat map
(:func:`ssl_core.report.array_png`, low frequencies at the bottom) from the run's restored evaluation
waveforms (``data.pt``). A ``speech/tera`` run has no converter: no figure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from ssl_core.report import ReportFigure, array_png
from ssl_plugin_speech.corpus import Utterance
from ssl_plugin_speech.data import SpeechData
from ssl_plugin_speech.vc import VoiceConversionMethod

__all__ = ["TITLE", "pick_source", "report_figures", "stacked"]

TITLE = "Converted spectrogram of a held-out utterance"
MAX_SECONDS = 4.5
"""The source is cut to this length (one pixel per frame: the figure stays under 460 pixels wide)."""


def pick_source(data: SpeechData) -> tuple[Utterance, Utterance | None] | None:
    """The first non-target utterance of a held-out sentence (else of any sentence) and the target's
    recording of the same sentence (``None`` when the corpus has none)."""
    target = data.target_speaker
    refs = {u.sentence: u for u in data.utterances if u.speaker == target}
    others = [u for u in data.utterances if u.speaker != target]
    ranked = [u for u in others if u.sentence in data.heldout and u.sentence in refs]
    ranked += [u for u in others if u.sentence in refs] + others
    return (ranked[0], refs.get(ranked[0].sentence)) if ranked else None


def stacked(panels: list[np.ndarray]) -> np.ndarray:
    """``(T, F)`` log-mels as ``(F, T)`` images stacked top to bottom (first panel on top after the
    PNG's flip), padded to the widest with the lowest value and separated by 2 rows of the highest."""
    width = max(p.shape[0] for p in panels)
    low, high = min(float(p.min()) for p in panels), max(float(p.max()) for p in panels)
    rows = []
    for p in reversed(panels):  # array_png(flip=True) draws the last row block on top
        img = np.full((p.shape[1], width), low)
        img[:, : p.shape[0]] = p.T
        rows += [img, np.full((2, width), high)]
    return np.concatenate(rows[:-1], axis=0)


def report_figures(run_dir: Path, run: Any) -> list[ReportFigure]:
    """The spectrogram figure of a voice-conversion run (none for a TERA-only run)."""
    data, module = run.recipe.data, run.module
    if not isinstance(data, SpeechData) or not isinstance(module, VoiceConversionMethod):
        return []
    picked = pick_source(data)
    if picked is None:
        return [ReportFigure(TITLE, caption="not drawn: no utterance of a non-target speaker in the run")]
    source, ref = picked
    module.eval()
    cut = int(MAX_SECONDS * data.sample_rate)
    with torch.no_grad():
        src_wave = {"wave": torch.from_numpy(source.wave[:cut])[None]}
        panels = [module.tera.frontend.raw(src_wave)[0].numpy(), module.convert(src_wave)[0].numpy()]
        names = [
            f"source {source.utterance_id} (speaker {source.speaker})",
            f"converted to {data.target_speaker}",
        ]
        if ref is not None:
            panels.append(
                module.tera.frontend.raw({"wave": torch.from_numpy(ref.wave[:cut])[None]})[0].numpy()
            )
            names.append(f"target's own {ref.utterance_id}")
    image = stacked(panels)
    png = array_png(image, colormap="heat", flip=True)  # one pixel per 10 ms frame and mel band
    kind = "held-out" if source.sentence in data.heldout else "training"
    caption = (
        f"Log-mel spectrograms ({panels[0].shape[1]} mel bands, natural-log power, one colour scale; "
        f"low frequencies at the bottom of each panel), top to bottom: {'; '.join(names)}. The source "
        f"says a {kind} sentence; at most the first {MAX_SECONDS:g} s are shown."
    )
    return [ReportFigure(TITLE, png=png, caption=caption)]
