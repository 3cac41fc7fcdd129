"""The shared pieces of ``bench/video_qa.py`` and its validation sweep (``--tune``).

The sweep chooses the main stage's values the paper does not give (``lambda_loc``, ``lambda_con``,
``tau``, ``mask_prob``), the question-prediction pre-training length and the main-stage learning rate
after it (the QP-initialised arms lost to CE only) by **mean validation accuracy** at 10% labels over
the seeds, one value at a time from the a-priori values (coordinate search: each axis keeps the best
value found so far). The CE-only arm's learning rate is checked on the same grid, so the baseline gets
the same chance. The test questions are never scored here.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import ClipQADataset, PreparedQA, build_data
from ssl_plugin_video.finetune import predict, train_main_stage, train_question_prediction
from ssl_plugin_video.method import MainStage, VideoQA, build_module

MODEL = {"dim": 64, "heads": 2, "ffn_dim": 128, "depth": 2, "max_frames": 32, "bin_seconds": 3.0,
         "max_concepts": 4, "max_q_len": 20, "max_a_len": 12}  # fmt: skip
STEPS = {0.1: 100, 0.3: 120, 1.0: 150}


@dataclass(frozen=True)
class Recipe:
    """The values the sweep chooses; ``lr`` is the main stage from random init, ``lr_pre`` from QP weights."""

    lambda_loc: float = 0.5
    lambda_con: float = 0.5
    tau: float = 0.1
    mask_prob: float = 0.15
    qp_steps: int = 150
    lr: float = 5e-4
    lr_pre: float = 5e-4

    def stage(self, loc: bool, con: bool) -> MainStage:
        """The main stage with the localisation / contrastive terms switched on or off."""
        return MainStage(
            self.lambda_loc if loc else 0.0, self.lambda_con if con else 0.0, self.tau, self.mask_prob
        )


A_PRIORI = Recipe()
# (axis, arm it is scored on, values); the a-priori value is always among them
AXES: list[tuple[str, str, list[float]]] = [
    ("lr", "ce", [2e-4, 5e-4, 1e-3]),
    ("lr_pre", "full", [1e-4, 2e-4, 5e-4, 1e-3]),
    ("qp_steps", "full", [50, 150, 300]),
    ("lambda_con", "full", [0.1, 0.5, 1.0]),
    ("tau", "full", [0.05, 0.1, 0.3]),
    ("mask_prob", "full", [0.15, 0.3, 0.5]),
    ("lambda_loc", "full", [0.1, 0.5, 1.0]),
]


def load_data(fraction: float, lang: bool) -> PreparedQA:
    """TVQA+ val split by clip (seed 0), ``fraction`` of the training answers; ``lang``: no concept stream."""
    path = Path(os.environ["SSL_DATA_DIR"]) / "video" / "tvqa_plus" / "tvqa_plus_val.json"
    return build_data(VideoQAArgs(data=str(path), label_fraction=fraction, use_context=not lang, **MODEL))  # type: ignore[arg-type]


def qp_pretrain(model: VideoQA, data: PreparedQA, seed: int, steps: int, *, answer: bool = True) -> VideoQA:
    """A copy of ``model`` after label-free question prediction on every training question (batch 32,
    lr 1e-3); ``answer=False`` removes every option's tokens (only the context tells questions apart)."""
    train = data.splits["train"]
    tensors = {**train.tensors, "labelled": torch.zeros(len(train), dtype=torch.bool)}
    if not answer:
        tensors["a"] = torch.zeros_like(tensors["a"])
    unlabelled = ClipQADataset(tensors, train.clips)
    return train_question_prediction(model, unlabelled, steps=steps, batch_size=32, lr=1e-3, seed=seed)


def pretrained(seed: int, steps: int, data: PreparedQA, cache: Path) -> VideoQA:
    """Question-prediction pre-training (label-free, ``steps`` steps) of seed ``seed``, saved beside ``cache``."""
    torch.manual_seed(seed)
    model = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
    saved = cache.with_name(f"{cache.stem}.pre{seed}.s{steps}.pt")
    lock = saved.with_suffix(".lock")
    while lock.exists() and not saved.exists():  # another bench process is pre-training this seed
        time.sleep(10)
    if saved.exists():
        model.load_state_dict(torch.load(saved, weights_only=True))
        return model
    lock.touch()
    t0 = time.perf_counter()
    model = qp_pretrain(model, data, seed, steps)
    print(f"pretrained seed {seed} ({steps} steps) in {time.perf_counter() - t0:.0f}s", flush=True)
    torch.save(model.state_dict(), saved)
    lock.unlink()
    return model


def fit_predict(arm: tuple[bool, bool, bool, bool], recipe: Recipe, fraction: float, seed: int, data: PreparedQA,
                pre: VideoQA | None, split: str) -> dict[str, np.ndarray]:  # fmt: skip
    """One main-stage run of ``arm`` = (QP init, loc, con, language only), scored on ``split``."""
    init, loc, con, lang = arm
    torch.manual_seed(1000 + seed)
    start = (
        pre if init and pre is not None else build_module(VideoQAArgs(**MODEL, use_context=not lang), data)
    )  # type: ignore[arg-type]
    model = train_main_stage(start, data.splits["train"], recipe.stage(loc, con), steps=STEPS[fraction],
                             batch_size=16, lr=recipe.lr_pre if init else recipe.lr, seed=seed)  # fmt: skip
    return predict(model, data.splits[split])


def _score(arm: str, recipe: Recipe, seeds: list[int], data: PreparedQA, cache: Path) -> list[float]:
    """Validation accuracy of ``arm`` under ``recipe`` per seed (cached in ``cache``, JSONL)."""
    key = json.dumps({"arm": arm, **asdict(recipe)}, sort_keys=True)
    done = [json.loads(line) for line in cache.read_text().splitlines()] if cache.exists() else []
    have = {(r["key"], r["seed"]): r["val_acc"] for r in done}
    out = []
    for seed in seeds:
        if (key, seed) not in have:
            pre = pretrained(seed, recipe.qp_steps, data, cache) if arm == "full" else None
            t0 = time.perf_counter()
            arms = {"ce": (False, False, False, False), "full": (True, True, True, False)}
            acc = float(fit_predict(arms[arm], recipe, 0.1, seed, data, pre, "val")["correct"].mean())
            print(
                f"sweep {arm} {recipe} seed {seed}: val acc {acc:.3f} ({time.perf_counter() - t0:.0f}s)",
                flush=True,
            )
            with cache.open("a") as f:
                f.write(json.dumps({"key": key, "seed": seed, "val_acc": acc}) + "\n")
            have[(key, seed)] = acc
        out.append(have[(key, seed)])
    return out


def sweep(seeds: list[int], cache: Path) -> tuple[Recipe, list[dict[str, Any]]]:
    """Coordinate search over :data:`AXES` from :data:`A_PRIORI`; the chosen recipe and one row per config."""
    data = load_data(0.1, False)
    best, rows = A_PRIORI, []
    for axis, arm, values in AXES:
        scores = {}
        for value in values:
            recipe = replace(best, **{axis: type(getattr(best, axis))(value)})
            accs = _score(arm, recipe, seeds, data, cache)
            scores[value] = float(np.mean(accs))
            rows.append({"axis": axis, "arm": arm, "value": value, "recipe": recipe, "accs": accs})
        current = getattr(best, axis)
        top = max(scores, key=lambda v: (scores[v], v == current))  # ties keep the current value
        best = replace(best, **{axis: type(current)(top)})
        for row in rows[-len(values) :]:
            row["chosen"] = row["value"] == top
    return best, rows


def sweep_table(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Markdown rows: axis, value, the other values, val accuracy mean ± 95% half-width (t over seeds)."""
    from scipy import stats

    table = []
    for row in rows:
        accs = row["accs"]
        half = stats.t.ppf(0.975, len(accs) - 1) * np.std(accs, ddof=1) / np.sqrt(len(accs))
        r = row["recipe"]
        fixed = (f"λ_loc {r.lambda_loc}, λ_con {r.lambda_con}, τ {r.tau}, mask {r.mask_prob}, "
                 f"QP steps {r.qp_steps}, lr {r.lr:g}, lr after QP {r.lr_pre:g}")  # fmt: skip
        table.append({"axis": row["axis"], "arm": row["arm"], "value": f"{row['value']:g}", "config": fixed,
                      "val acc": f"{np.mean(accs):.3f} ± {half:.3f}",
                      "per seed": " / ".join(f"{a:.3f}" for a in accs),
                      "chosen": "yes" if row["chosen"] else ""})  # fmt: skip
    return table
