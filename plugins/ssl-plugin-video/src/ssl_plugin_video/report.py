"""The video plugin's ``report.html`` figure (``DomainSpec.report_figures``): answers of test questions.

For the first :data:`QUESTIONS` test questions: each option's softmax score (the correct option and
the chosen one marked) and, where the question has a ``ts`` span, the predicted span against it on the
clip's time grid (bins of ``recipe_args.bin_seconds``). The pretrained weights get a short main stage
first (Kim et al., AAAI 2021: CE + localisation + masked-answer contrastive; :data:`REPORT_STEPS`
steps, seed 0, as ``evaluate --quick``) so the option and span heads are trained; ``evaluate`` gives
the multi-seed comparison. Only the run directory is read (``data.pt``).
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ssl_core.report import ReportFigure
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import PreparedQA
from ssl_plugin_video.evaluate import QUICK_STEPS
from ssl_plugin_video.finetune import _span, predict, train_main_stage
from ssl_plugin_video.method import MainStage
from ssl_plugin_video.text import load_tokenizer

__all__ = ["QUESTIONS", "REPORT_STEPS", "TITLE", "answers_svg", "report_figures"]

QUESTIONS = 3
REPORT_STEPS = QUICK_STEPS
TITLE = "Option scores and predicted spans of test questions"
_W, _ROW, _BAR = 640, 18, 200


def _text(x: float, y: float, s: str, **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.0f}" y="{y:.0f}"{extra}>{escape(s)}</text>'


def _block(y: float, k: int, q: dict[str, Any], bins: int, bin_seconds: float) -> tuple[list[str], float]:
    parts = [_text(4, y + 12, f"Q{k + 1}: {q['question']}", font_weight="bold")]
    y += 18
    probs = np.exp(q["scores"] - q["scores"].max())
    probs /= probs.sum()
    for i, (option, p) in enumerate(zip(q["options"], probs)):
        colour = "#2ca02c" if i == q["answer"] else ("#d62728" if i == q["chosen"] else "#1f77b4")
        mark = (" (correct)" if i == q["answer"] else "") + (" (chosen)" if i == q["chosen"] else "")
        parts.append(
            f'<rect x="4" y="{y + 3:.0f}" width="{max(1.0, _BAR * p):.1f}" height="11" fill="{colour}"/>'
        )
        parts.append(_text(_BAR + 10, y + 12, f"{p:.3f}  {option[:60]}{mark}"))
        y += _ROW
    if q["span"] is not None:
        true, pred = q["span"]
        scale = (_W - 160) / bins
        parts.append(
            _text(4, y + 12, f"span (s): ts {true[0] * bin_seconds:g}-{(true[1] + 1) * bin_seconds:g}")
        )
        parts.append(f'<rect x="150" y="{y + 2:.0f}" width="{_W - 160}" height="14" fill="#eeeeee"/>')
        for (a, b), fill, dy in ((true, "#2ca02c", 2), (pred, "#ff7f0e", 9)):
            parts.append(
                f'<rect x="{150 + a * scale:.1f}" y="{y + dy:.0f}" width="{(b - a + 1) * scale:.1f}" height="7" fill="{fill}"/>'
            )
        parts.append(
            _text(
                _W - 4,
                y + 12,
                f"pred {pred[0] * bin_seconds:g}-{(pred[1] + 1) * bin_seconds:g}",
                text_anchor="end",
            )
        )
        y += _ROW + 2
    return parts, y + 8


def answers_svg(questions: list[dict[str, Any]], bins: int, bin_seconds: float) -> str:
    """One SVG: per question, option score bars and the true (green) vs predicted (orange) span."""
    parts, y = [], 4.0
    for k, q in enumerate(questions):
        block, y = _block(y, k, q, bins, bin_seconds)
        parts += block
    head = f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{y:.0f}" viewBox="0 0 {_W} {y:.0f}" font-family="sans-serif" font-size="11">'
    return "\n".join([head, *parts, "</svg>"])


def _decode(tok: Any, ids: torch.Tensor) -> str:
    """The text of padded token ids (WordPiece continuations ``##x`` joined to the previous token)."""
    pieces = [tok.id_to_token(int(i)) or "" for i in ids if int(i) != 0]
    return " ".join(pieces).replace(" ##", "")


def report_figures(run_dir: Path, run: Any) -> list[ReportFigure]:
    """The answers figure for the first :data:`QUESTIONS` test questions (none without a test split)."""
    data = run.recipe.data
    if not isinstance(data, PreparedQA) or "test" not in data.splits or len(data.splits["test"]) == 0:
        return []
    args = VideoQAArgs(**run.config.recipe_args)
    train, test = data.splits["train"], data.splits["test"]
    model, note = run.module, "the pretrained weights only (no labelled training question)"
    if bool(train.tensors["labelled"].any()):
        stage = MainStage(args.lambda_loc, args.lambda_con, args.tau, args.mask_prob)
        steps = min(args.ft_steps, REPORT_STEPS)
        model = train_main_stage(
            model, train, stage, steps=steps, batch_size=args.ft_batch, lr=args.ft_lr, seed=0
        )
        note = f"the pretrained weights after {steps} main-stage steps (seed 0)"
    shown = test.subset(torch.arange(len(test)) < QUESTIONS)
    out = predict(model, shown)
    with torch.no_grad():
        _, _, loc = model.score(shown.__getitems__(torch.arange(len(shown))))
    tok = load_tokenizer(data.tokenizer)
    questions = []
    for k in range(len(shown)):
        t = shown.tensors
        chosen = int(out["scores"][k].argmax())
        span = None
        if loc is not None and int(t["span"][k, 0]) >= 0:
            span = (t["span"][k].tolist(), _span(loc[k : k + 1, chosen])[0].tolist())
        questions.append({"question": _decode(tok, t["q"][k]), "options": [_decode(tok, a) for a in t["a"][k]],
                          "scores": out["scores"][k], "answer": int(t["answer"][k]), "chosen": chosen, "span": span})  # fmt: skip
    bins = int(loc.shape[-2]) if loc is not None else 1
    spans = sum(q["span"] is not None for q in questions)
    where = (
        "where the question has a ts span, the true span (green, top) and the predicted one (orange, "
        f"bottom) on the clip's {bins} bins of {args.bin_seconds:g} s"
        if spans
        else "no span is drawn: these questions have no ts span or the run has no clip context"
    )
    caption = (
        f"The first {len(shown)} test questions scored by {note}: softmax over the options (green: the "
        f"correct option, red: a wrong chosen one); {where}."
    )
    return [ReportFigure(TITLE, svg=answers_svg(questions, bins, args.bin_seconds), caption=caption)]
