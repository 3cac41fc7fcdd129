"""Question-prediction (QP) variants scored by **validation** accuracy at 10% labels (issue #17).

Pre-training (``--qp``): ``label-free`` (the bench's: every training question with a random option,
negatives = other questions of the batch), ``same-clip`` (the same, but batches are whole clips, so
the negatives are questions of the same clip: no visual shortcut), ``gt-labelled`` (the paper's
pairing: only the labelled questions, each with its ground-truth answer). Main stage (CE only, the
``ce+qp`` arm) at the learning rates given (``--lrs``), from (``--heads``) the whole QP model
(``keep``), its encoder with ``score_head`` re-initialised (``reinit``), or only its text encoder /
context encoder (``text-only`` / ``context-only``; the rest as the random-init CE arm). ``none`` is
CE only from random init. The test questions are never scored here. Results append to ``--cache``.

``python bench/_video_qp_variants.py --cache /tmp/video_qpvar.jsonl``, then
``--qp label-free,gt-labelled --heads text-only,context-only`` (QP weights cached beside the cache).
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Iterator
from pathlib import Path

import torch
from _video_qp_diag import answer_stats, qp_accuracy
from _video_sweep import MODEL, STEPS, load_data
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import ClipQADataset, PreparedQA
from ssl_plugin_video.finetune import IndexBatches, predict, train_main_stage, train_question_prediction
from ssl_plugin_video.method import MainStage, VideoQA, build_module
from ssl_plugin_video.views import QuestionCandidates

from ssl_core.interfaces import Batch, Views

CE = MainStage(0.0, 0.0, 0.1, 0.5)


def _qp_set(data: PreparedQA, qp: str) -> ClipQADataset:
    train = data.splits["train"]
    if qp == "gt-labelled":
        return train.subset(train.tensors["labelled"])
    return ClipQADataset(
        {**train.tensors, "labelled": torch.zeros(len(train), dtype=torch.bool)}, train.clips
    )


class SameClipCandidates(QuestionCandidates):
    """Negatives from the anchor's own clip first (batches are whole clips), then other clips."""

    def __call__(self, batch: Batch, generator: torch.Generator | None = None) -> Views:
        b, clip = batch["clip"].shape[0], batch["clip"]
        noise = torch.rand(b, b, generator=generator) + (clip[:, None] != clip[None]).float()
        noise.fill_diagonal_(3.0)
        cand = torch.cat([torch.arange(b)[:, None], noise.argsort(dim=1)[:, : self.n - 1]], dim=1)
        option = torch.randint(0, batch["a"].shape[1], (b,), generator=generator)
        return {"qp": {"cand": cand, "option": option}}


def clip_batches(clip: torch.Tensor, clips_per_batch: int) -> IndexBatches:
    """Batches of whole clips: ``clips_per_batch`` clips in a seeded random order, redrawn when short."""
    ids = clip.unique()

    def batches(gen: torch.Generator) -> Iterator[torch.Tensor]:
        order, pos = ids[torch.randperm(len(ids), generator=gen)], 0
        while True:
            if pos + clips_per_batch > len(order):
                order, pos = ids[torch.randperm(len(ids), generator=gen)], 0
            yield torch.isin(clip, order[pos : pos + clips_per_batch]).nonzero().squeeze(1)
            pos += clips_per_batch

    return batches


def _same_clip_qp(
    model: VideoQA, train: ClipQADataset, steps: int, seed: int, clips_per_batch: int = 4
) -> VideoQA:
    """The bench's QP loop (AdamW lr 1e-3, wd 0.01, 10% warm-up, clip 1) on batches of whole clips (4 x 7 = 28)."""
    model = copy.deepcopy(model)
    model.candidates = SameClipCandidates(model.candidates.n)
    order = clip_batches(train.tensors["clip"], clips_per_batch)
    return train_question_prediction(
        model, train, steps=steps, batch_size=28, lr=1e-3, seed=seed, batches=order
    )


def pretrain(qp: str, seed: int, data: PreparedQA, folder: Path, steps: int = 300) -> VideoQA:
    """QP pre-training of one variant and seed (cached as ``folder/qp-{qp}-{seed}.pt``)."""
    torch.manual_seed(seed)
    model = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
    saved = folder / f"qp-{qp}-s{steps}-{seed}.pt"
    if saved.exists():
        model.load_state_dict(torch.load(saved, weights_only=True))
        return model
    t0 = time.perf_counter()
    if qp == "same-clip":
        model = _same_clip_qp(model, _qp_set(data, qp), steps, seed)
    else:
        model = train_question_prediction(
            model, _qp_set(data, qp), steps=steps, batch_size=32, lr=1e-3, seed=seed
        )
    print(f"QP {qp} seed {seed}: {time.perf_counter() - t0:.0f}s", flush=True)
    torch.save(model.state_dict(), saved)
    return model


def probe(model: VideoQA, data: PreparedQA, seed: int) -> dict[str, float]:
    """QP accuracy (train / val questions, other-clip / same-clip / blind negatives) and the zero-shot answers."""
    out = {f"qp_{s}_{m}": qp_accuracy(model, data.splits[s], m, seed)
           for s in ("train", "val") for m in ("other", "same", "blind")}  # fmt: skip
    out.update({f"zero_shot_{k}": v for k, v in answer_stats(model, data.splits["val"]).items()})
    return out


def finetune(start: VideoQA, head: str, lr: float, seed: int, data: PreparedQA) -> dict[str, float]:
    """The CE main stage at 10% labels from ``start``; ``head``: what is transferred (``keep``: all,
    ``reinit``: the encoder, ``text-only`` / ``context-only``: that encoder part; the rest random); val scores."""
    torch.manual_seed(1000 + seed)
    fresh = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
    keep = {"keep": ("",), "reinit": ("encoder.",), "text-only": ("encoder.text.",),
            "context-only": ("encoder.context.",)}[head]  # fmt: skip
    state = {k: v for k, v in start.state_dict().items() if k.startswith(keep)}
    start = fresh
    start.load_state_dict({**fresh.state_dict(), **state})
    model = train_main_stage(
        start, data.splits["train"], CE, steps=STEPS[0.1], batch_size=16, lr=lr, seed=seed
    )
    val = answer_stats(model, data.splits["val"])
    return {"val_acc": val["acc"], "val_score_std": val["score_std"],
            "val_acc_check": float(predict(model, data.splits["val"])["correct"].mean())}  # fmt: skip


def _done(cache: Path) -> dict[str, dict[str, float]]:
    rows = [json.loads(line) for line in cache.read_text().splitlines()] if cache.exists() else []
    return {r["key"]: r for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/video_qpvar.jsonl"))
    parser.add_argument("--qp", default="none,label-free,same-clip,gt-labelled")
    parser.add_argument("--heads", default="keep,reinit")
    parser.add_argument("--lrs", default="2e-4,1e-3")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    data, done = load_data(0.1, False), _done(opts.cache)
    for qp in opts.qp.split(","):
        for seed in [int(s) for s in opts.seeds.split(",")]:
            torch.manual_seed(1000 + seed)
            start = build_module(VideoQAArgs(**MODEL), data) if qp == "none" else None  # type: ignore[arg-type]
            for head in ["keep"] if qp == "none" else opts.heads.split(","):
                for lr in [float(x) for x in opts.lrs.split(",")]:
                    key = json.dumps([qp, head, lr, seed])
                    if key in done:
                        continue
                    if start is None:
                        start = pretrain(qp, seed, data, opts.cache.parent)
                        done[f"probe {qp} {seed}"] = row = {
                            "key": f"probe {qp} {seed}",
                            **probe(start, data, seed),
                        }
                        with opts.cache.open("a") as f:
                            f.write(json.dumps(row) + "\n")
                    row = {"key": key, "qp": qp, "head": head, "lr": lr, "seed": seed,
                           **finetune(start, head, lr, seed, data)}  # fmt: skip
                    print(json.dumps(row), flush=True)
                    with opts.cache.open("a") as f:
                        f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
