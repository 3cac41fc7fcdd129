"""``ssl-video answer``: rank one question's options with a trained run (its fitted tokenizer and vocabulary).

The context is optional and must match what the run was trained with: a concepts JSON (frame index
at 3 fps -> labels, or TVQA+ ``bbox`` boxes with ``label``), a frame-features file, or a video.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ssl_core.errors import DataError
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import encode_records
from ssl_plugin_video.finetune import _span
from ssl_plugin_video.readers import QARecord, _concepts
from ssl_plugin_video.text import load_tokenizer


@dataclass
class Answer:
    """Options ranked ``(index, text, probability)`` and the predicted span in seconds (or ``None``)."""

    ranked: list[tuple[int, str, float]]
    span: tuple[float, float] | None


def _read_concepts(path: Path) -> dict[int, list[str]]:
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(path, "<file>", f"not a JSON object: {exc}") from exc
    if (
        isinstance(raw, dict)
        and raw
        and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in raw.values())
    ):
        raw = {k: [{"label": x} for x in v] for k, v in raw.items()}
    return _concepts(path, "concepts", raw)


def rank_options(run: Any, question: str, options: list[str], *, concepts: Path | None = None,
                 features: Path | None = None, video: Path | None = None) -> Answer:  # fmt: skip
    """Scores of ``options`` for ``question`` with the run's model (see the module docstring)."""
    args = VideoQAArgs(**run.config.recipe_args)
    data = run.recipe.data
    clip = (features or video).stem if (features or video) else "query"  # type: ignore[union-attr]
    args = dataclasses.replace(args, features=str(features.parent) if features else None,
                               videos=str(video.parent) if video else None, own_concepts=True)  # fmt: skip
    split = next(iter(data.splits.values()))
    if (features is not None) != ("features" in split.clips) or (video is not None) != (
        "pixels" in split.clips
    ):
        kind = (
            "frame features"
            if "features" in split.clips
            else "video frames"
            if "pixels" in split.clips
            else "concepts only"
        )
        raise DataError(
            features or video or "<context>", "context", f"the run was trained with {kind} as context"
        )
    rec = QARecord(
        "q", clip, question, list(options), None, concepts=_read_concepts(concepts) if concepts else {}
    )
    ds = encode_records([rec], load_tokenizer(data.tokenizer), data.concept_vocab, args)
    module = run.module.eval()
    with torch.no_grad():
        batch = {
            k: v.to(next(module.parameters()).device) for k, v in ds.__getitems__(torch.tensor([0])).items()
        }
        scores, _, loc = module.score(batch)
    prob = torch.softmax(scores[0], 0).tolist()
    order = sorted(range(len(options)), key=lambda i: -prob[i])
    span = None
    if loc is not None:
        s, e = _span(loc[0, order[0]][None])[0].tolist()
        span = (s * args.bin_seconds, (e + 1) * args.bin_seconds)
    return Answer([(i, options[i], prob[i]) for i in order], span)
