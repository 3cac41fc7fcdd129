"""Why does question-prediction (QP) pre-training hurt the TVQA+ QA model? (issue #17, diagnosis)

Read-only probes of a QP-pretrained model (``bench/video_qa.py``'s weights, ``--pre``) and of the
main stage from several initialisations, scored on the **validation** questions only:

* QP accuracy on held-out candidates (train vs val questions; negatives from other clips, from the
  same clip, and other clips with the concept stream blanked),
* what the QP weights transfer (state-dict keys, tokenizer identity),
* the answer scores over the 5 options before / after the main stage (accuracy, spread).

``python bench/_video_qp_diag.py --pre /tmp/video_tuned.pre{seed}.s300.pt --seeds 0,1,2``
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import torch
from _video_length import longest_answer_accuracy, longest_options
from _video_sweep import MODEL, load_data
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import ClipQADataset
from ssl_plugin_video.method import VideoQA, build_module


@torch.no_grad()
def qp_accuracy(model: VideoQA, data: ClipQADataset, mode: str, seed: int, n: int = 5) -> float:
    """QP accuracy with the ground-truth answer; negatives: ``other`` clips, ``same`` clip, ``blind``
    (other clips, concept stream zeroed)."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    clip, total, hits = data.tensors["clip"], len(data), 0
    for start in range(0, total, 64):
        idx = torch.arange(start, min(start + 64, total))
        batch = data.__getitems__(idx)
        cands = []
        for i in idx.tolist():
            pool = (clip == clip[i]) if mode == "same" else (clip != clip[i])
            pool[i] = False
            others = pool.nonzero().squeeze(1)
            cands.append(
                torch.cat([torch.tensor([i]), others[torch.randperm(len(others), generator=gen)[: n - 1]]])
            )
        cand = torch.stack(cands)
        if mode == "blind":
            batch = {**batch, "concepts": torch.zeros_like(batch["concepts"])}
        ans = batch["answer"].clamp(min=0)
        a = batch["a"][torch.arange(len(idx)), ans]
        z, _ = model.encoder.options(data.tensors["q"][cand], a[:, None].expand(-1, n, -1), batch)
        hits += int((model.score_head(z).squeeze(-1).argmax(1) == 0).sum())
    return hits / total


@torch.no_grad()
def answer_stats(model: VideoQA, data: ClipQADataset) -> dict[str, float]:
    """Answer accuracy, mean per-question std of the 5 option scores, share of flat questions (std < 1e-3),
    and ``option_share``: the share of the option vectors' variance that lies between the options of one
    question (the rest is between questions; the answer can only use the former)."""
    model.eval()
    scores, zs = [], []
    for start in range(0, len(data), 64):
        batch = data.__getitems__(torch.arange(start, min(start + 64, len(data))))
        s, z, _ = model.score(batch)
        scores.append(s)
        zs.append(z)
    s, z = torch.cat(scores), torch.cat(zs)
    std = s.std(1)
    acc = float((s.argmax(1) == data.tensors["answer"]).float().mean())
    within = float((z - z.mean(1, keepdim=True)).pow(2).sum(-1).mean())
    total = float((z - z.mean((0, 1))).pow(2).sum(-1).mean())
    longest = longest_options(data)
    hit = s.argmax(1) == data.tensors["answer"]
    gt_longest = longest[torch.arange(len(s)), data.tensors["answer"]]
    return {"acc": acc, "score_std": float(std.mean()), "flat": float((std < 1e-3).float().mean()),
            "option_share": within / total,
            "picks_longest": float(longest[torch.arange(len(s)), s.argmax(1)].float().mean()),
            "acc_answer_not_longest": float(hit[~gt_longest].float().mean()),
            "acc_answer_longest": float(hit[gt_longest].float().mean())}  # fmt: skip


def transfer_check(pre: VideoQA, fresh: VideoQA, tok_a: str, tok_b: str) -> dict[str, object]:
    """Keys / shapes of the QP state dict against a freshly built model, and tokenizer identity."""
    a, b = pre.state_dict(), fresh.state_dict()
    same_shape = all(a[k].shape == b[k].shape for k in a if k in b)
    moved = sorted({k.split(".")[1] for k in a if not torch.equal(a[k], b[k])})
    return {"keys_equal": set(a) == set(b), "shapes_equal": same_shape, "n_tensors": len(a),
            "modules_changed_by_qp": moved, "tokenizer_identical": tok_a == tok_b}  # fmt: skip


def option_shares(pre_path: str, seeds: list[int]) -> None:
    """``--shares``: answer statistics on val of random init / QP init, before and after the CE main stage
    (10% labels, lr 2e-4, whole model kept)."""
    from _video_sweep import STEPS
    from ssl_plugin_video.finetune import train_main_stage
    from ssl_plugin_video.method import MainStage

    data = load_data(0.1, False)
    heuristic = {k: longest_answer_accuracy(v) for k, v in data.splits.items()}
    print(json.dumps({"longest option heuristic (label-free) accuracy": heuristic}), flush=True)
    for seed in seeds:
        torch.manual_seed(1000 + seed)
        fresh = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
        pre = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
        pre.load_state_dict(torch.load(pre_path.format(seed=seed), weights_only=True))
        for name, start in (("random init", fresh), ("QP init", pre)):
            tuned = train_main_stage(start, data.splits["train"], MainStage(0.0, 0.0, 0.1, 0.5), steps=STEPS[0.1],
                                     batch_size=16, lr=2e-4, seed=seed)  # fmt: skip
            for when, model in (("before", start), ("after CE", tuned)):
                stats = answer_stats(model, data.splits["val"])
                print(json.dumps({"seed": seed, "init": name, "when": when, **stats}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pre", required=True, help="QP weights, '{seed}' in the path")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--shares", action="store_true", help="only the before / after main-stage statistics")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    if opts.shares:
        option_shares(opts.pre, [int(s) for s in opts.seeds.split(",")])
        return
    data, again = load_data(0.1, False), load_data(0.1, False)
    out: dict[str, object] = {}
    for seed in [int(s) for s in opts.seeds.split(",")]:
        torch.manual_seed(seed)
        fresh = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
        pre = build_module(VideoQAArgs(**MODEL), data)  # type: ignore[arg-type]
        pre.load_state_dict(torch.load(opts.pre.format(seed=seed), weights_only=True))
        row: dict[str, object] = {"transfer": transfer_check(pre, fresh, data.tokenizer, again.tokenizer)}
        for split in ("train", "val"):
            for mode in ("other", "same", "blind"):
                row[f"qp_{split}_{mode}"] = qp_accuracy(pre, data.splits[split], mode, seed)
                row[f"qp_{split}_{mode}_random_init"] = qp_accuracy(fresh, data.splits[split], mode, seed)
        row["answer_val_qp_init"] = answer_stats(pre, data.splits["val"])
        row["answer_val_random_init"] = answer_stats(fresh, data.splits["val"])
        out[str(seed)] = row
        print(json.dumps({seed: row}), flush=True)
    means = {k: float(np.mean([r[k] for r in out.values()])) for k in out["0"] if k.startswith("qp_")}  # type: ignore[union-attr]
    print(json.dumps({"mean": means}, indent=1))


if __name__ == "__main__":
    main()
