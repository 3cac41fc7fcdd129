"""Does question prediction learn to read the concept labels? (issue #17, validation split only)

For each seed, two question-prediction (QP) pre-trainings on every training question, label-free:

* ``paired``: the bench's task (a random option of each question paired with it; ``video_qa.py``);
* ``no answer``: the same with every option's tokens removed, so only the clip context (the label
  segment and the concept stream, without the question's own boxes) can tell the true question from
  the other questions of the batch.

Reported on the **val** questions: the QP accuracy (5 candidates, chance 0.2) with each question's own
context labels and with those of another val question (a fixed random permutation), the gap measuring
how much the model reads the labels; then the main stage at 10% labels from each QP model (the ``full``
and ``ce+qp`` arms at lr 1e-3 and 2e-4) beside CE only from random init (lr 2e-4), val accuracy.

    SSL_DATA_DIR=/work/shared/data OMP_NUM_THREADS=1 python bench/_video_qp_context.py --seeds 0,1,2 --steps 500
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
from _video_sweep import MODEL, fit_predict, load_data, qp_pretrain
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import ClipQADataset, PreparedQA
from ssl_plugin_video.method import VideoQA, build_module
from video_qa import ARMS, TUNED

from ssl_core.utils import markdown_table


def qp_model(data: PreparedQA, seed: int, steps: int, answer: bool) -> VideoQA:
    """QP pre-training of ``seed`` (label-free); ``answer=False`` removes every option's tokens."""
    torch.manual_seed(seed)
    model = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
    return qp_pretrain(model, data, seed, steps, answer=answer)


@torch.no_grad()
def qp_accuracy(model: VideoQA, val: ClipQADataset, answer: bool, swap: bool, batch: int = 32) -> float:
    """Mean QP accuracy over val batches; ``swap``: each question gets another question's labels."""
    model.eval()
    perm = torch.randperm(len(val), generator=torch.Generator().manual_seed(0))
    accs = []
    for start in range(0, len(val) - batch + 1, batch):
        idx = torch.arange(start, start + batch)
        b = val.__getitems__(idx)
        b["labelled"] = torch.zeros_like(b["labelled"])
        if not answer:
            b["a"] = torch.zeros_like(b["a"])
        if swap:
            b["concept_text"] = val.tensors["concept_text"][perm[idx]]
            b["concepts"] = val.tensors["concepts"][perm[idx]]
        accs.append(float(model(b, torch.Generator().manual_seed(start)).metrics["acc/qp"]))
    return float(np.mean(accs))


def main() -> None:
    """The table: per seed and QP kind, the QP probes and the main-stage val accuracies."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--steps", type=int, default=500, help="QP steps of the no-answer model (paired: 300)")
    ns = p.parse_args()
    torch.set_num_threads(1)
    data = load_data(0.1, False)
    val = data.splits["val"]
    rows = []
    for seed in [int(s) for s in ns.seeds.split(",")]:
        ce = fit_predict(ARMS["ce"], TUNED, 0.1, seed, data, None, "val")["correct"].mean()
        for kind, answer, steps in (("paired", True, TUNED.qp_steps), ("no answer", False, ns.steps)):
            t0 = time.perf_counter()
            model = qp_model(data, seed, steps, answer)
            row = {"seed": seed, "QP": f"{kind} ({steps} steps)",
                   "QP acc, own labels": f"{qp_accuracy(model, val, answer, False):.3f}",
                   "QP acc, other labels": f"{qp_accuracy(model, val, answer, True):.3f}",
                   "ce (random init)": f"{ce:.3f}"}  # fmt: skip
            for arm in ("full", "ce+qp"):
                for lr in (1e-3, 2e-4):
                    rec = dataclasses.replace(TUNED, lr_pre=lr)
                    acc = fit_predict(ARMS[arm], rec, 0.1, seed, data, model, "val")["correct"].mean()
                    row[f"{arm} lr {lr:g}"] = f"{acc:.3f}"
            rows.append(row)
            print(row, f"({time.perf_counter() - t0:.0f} s)", flush=True)
    print(markdown_table(rows))


if __name__ == "__main__":
    main()
