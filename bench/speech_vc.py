"""Evidence for ssl-plugin-speech: TERA features and adversarial speaker disentanglement for VC.

Real data: ``$SSL_DATA_DIR/speech`` (VCTK p225-p228, 10 parallel sentences each, plus 3 LibriSpeech
clips used as unlabelled external speech). Sentences 021-024 are held out of all training (they
are the conversion test set). Per seed:

1. TERA pretraining (``speech/tera``) on the training audio of all speakers.
2. VC (``speech/vc``, target p225) over the frozen TERA encoder, four arms: {no speaker adversary,
   the paper's binary speaker adversary (target vs external, ``lambda_spk = 0.5``)} x {plain content
   embeddings (paper), instance-normalised content embeddings (AdaIN-VC)}, plus a stronger binary
   adversary with IN (``STRONG_ADVERSARY``, the embedded default's: 5-layer discriminator, learning
   rate x20 through ``optim_lr_scale``, DANN-ramped reversal up to 1, and a segment-level term on each
   segment's mean logit) in two sizes: per-frame MLP (kernel 1) and 21-frame context (kernel 5); optionally (``--pseudo-k``)
   the pseudo-speaker adversary (external utterances clustered by k-means, ``(k + 1)``-way
   discriminator) with instance norm. The mel adversary is kept in every arm.

Measured: speaker-ID probes on the content embeddings (mean+std pooled linear; frame-level linear
and MLP, each scored per test utterance and per test frame; chance 1/4; and the MLP's per-frame
balanced accuracy of "is it the target?", chance 1/2, what the binary adversary attacks), the content probe (sentence identity on a held-out speaker,
leave-one-speaker-out), TERA vs raw log-mel vs the random-init encoder on the content probe with
one training speaker (few labels; TERA also as it was probed before, last layer over the whole
utterance), MCD of converted
held-out sentences to the target's parallel utterance (vs the unconverted source), speaker-embedding
cosine of converted audio to the target vs the source, log-mel extraction speed (librosa vs torch),
training samples/s, wall time per epoch and peak RSS.

Usage::

    SSL_DATA_DIR=/work/shared/data OMP_NUM_THREADS=1 python bench/speech_vc.py   # 3 seeds, about 10 min
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _speech_vc_arms import arm_args, arms_of  # noqa: E402
from _speech_vc_report import report  # noqa: E402
from ssl_plugin_speech.config import DEFAULT_HELDOUT  # noqa: E402
from ssl_plugin_speech.corpus import load_corpus  # noqa: E402
from ssl_plugin_speech.evaluate import (  # noqa: E402
    content_fn,
    conversion_metrics,
    logmel_fn,
    random_init_copy,
    tera_fn,
    train_speaker_encoder,
)
from ssl_plugin_speech.features import LogMel, librosa_logmel  # noqa: E402
from ssl_plugin_speech.probes import (  # noqa: E402
    frame_features,
    frame_speaker_scores,
    parallel_subset,
    sentence_probe,
    speaker_probe,
)

from ssl_core.config import load_run_config  # noqa: E402
from ssl_core.engine import train  # noqa: E402

TARGET = "p225"


def optim(lr: float, warmup: int) -> dict[str, Any]:
    sched = {"name": "warmup_cosine", "warmup_steps": warmup, "final_ratio": 0.1}
    return {"name": "adamw", "lr": lr, "weight_decay": 0.01, "schedule": sched}


def run_config(
    recipe: str,
    args: dict[str, Any],
    steps: int,
    seed: int,
    batch: int,
    ckpt: int = 10_000,
    lr: float = 2e-3,
) -> Any:
    train_cfg = {
        "steps": steps,
        "batch_size": batch,
        "seed": seed,
        "device": "cpu",
        "clip_grad": 5.0,
        "progress": False,
        "log_every": 10,
        "monitor_every": 10_000,
        "ckpt_every": ckpt,
    }
    warmup = max(20, int(0.07 * steps))  # TERA: 7% warm-up
    return load_run_config(
        {"recipe": recipe, "recipe_args": args, "train": train_cfg, "optim": optim(lr, warmup)}
    )


def logged_sps(run_dir: Path) -> float:
    """Median logged training samples/s (compute only, excludes loading the corpus)."""
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return float(np.median([r["samples_per_s"] for r in rows if "samples_per_s" in r]))


def timed_train(config: Any, run_dir: Path) -> tuple[Any, float]:
    start = time.perf_counter()
    result = train(config, run_dir, force=True)
    return result, time.perf_counter() - start


def one_seed(data: Path, out: Path, seed: int, a: argparse.Namespace) -> dict[str, Any]:
    torch.manual_seed(seed)
    tera_res, tera_s = timed_train(
        run_config("speech/tera", {"data": str(data)}, a.tera_steps, seed, a.batch, lr=a.tera_lr),
        out / f"seed{seed}" / "tera",
    )
    vc_args = {"data": str(data), "target_speaker": TARGET, "tera_run": str(tera_res.run_dir)}
    vcs, walls = {}, {}
    arms = arms_of(a)
    for arm in arms:
        cfg = run_config("speech/vc", {**vc_args, **arm_args(arm, a)}, a.vc_steps, seed, a.batch, lr=a.vc_lr)
        vcs[arm], walls[arm] = timed_train(cfg, out / f"seed{seed}" / f"vc_{arm}")
    corpus = vcs["binary"].recipe.data.corpus  # the evaluation utterances kept with the run
    utts = parallel_subset(corpus.utterances)
    tera = tera_res.module
    last_whole = copy.deepcopy(tera)
    last_whole.feature_layer, last_whole.context = len(tera.encoder.layers.layers), None
    feats = {
        "tera": frame_features(tera_fn(tera), utts),
        "tera_old": frame_features(tera_fn(last_whole), utts),
        "random": frame_features(tera_fn(random_init_copy(tera, seed)), utts),
        "logmel": frame_features(logmel_fn(tera), utts),
        **{arm: frame_features(content_fn(vcs[arm].module), utts) for arm in arms},
    }
    res: dict[str, Any] = {}
    for name in (*arms, "tera"):
        res[f"spk/{name}"] = speaker_probe(feats[name], utts, seed=seed)
        lin = frame_speaker_scores(feats[name], utts, seed=seed, target=TARGET)
        mlp = frame_speaker_scores(feats[name], utts, hidden=128, seed=seed, target=TARGET)
        res[f"spkf/{name}"], res[f"spkff/{name}"] = lin["utterance"], lin["frame"]
        res[f"spkm/{name}"], res[f"spkmf/{name}"] = mlp["utterance"], mlp["frame"]
        res[f"spkmt/{name}"] = mlp["target_frame"]
        res[f"sent/{name}"] = sentence_probe(feats[name], utts, seed=seed)
    for name in ("tera", "tera_old", "random", "logmel"):
        res[f"few/{name}"] = sentence_probe(feats[name], utts, train_speakers=1, seed=seed)
    spk_model = train_speaker_encoder(
        tera, [u for u in corpus.utterances if u.sentence not in DEFAULT_HELDOUT], seed=seed
    )
    for arm in arms:
        conv = conversion_metrics(vcs[arm].module, corpus, TARGET, DEFAULT_HELDOUT, speaker_model=spk_model)
        res[f"mcd/{arm}"], res["mcd/source"] = conv["mcd_converted"][0], conv["mcd_source"][0]
        res[f"cos_tgt/{arm}"], res[f"cos_src/{arm}"] = conv["cos_target"][0], conv["cos_source"][0]
    n_train = len(tera_res.recipe.train_data)
    res["sps/tera"], res["sps/vc"] = logged_sps(tera_res.run_dir), logged_sps(vcs["binary"].run_dir)
    res["epoch_s/tera"] = n_train / res["sps/tera"]
    res["epoch_s/vc"] = len(vcs["binary"].recipe.train_data) / res["sps/vc"]
    res["wall_s/tera"], res["wall_s/vc"] = tera_s, walls["binary"]
    return res


def feature_speed(data: Path, repeats: int = 2) -> dict[str, float]:
    """Utterances/s of log-mel extraction: librosa (numpy, float64) vs torch (one utterance per call)."""
    utts = load_corpus(data / "vctk_autovc").utterances
    logmel = LogMel()
    out = {}
    start = time.perf_counter()
    for _ in range(repeats):
        for u in utts:
            librosa_logmel(u.wave)
    out["librosa"] = repeats * len(utts) / (time.perf_counter() - start)
    waves = [torch.from_numpy(u.wave)[None] for u in utts]
    with torch.no_grad():
        start = time.perf_counter()
        for _ in range(repeats):
            for w in waves:
                logmel(w)
        out["torch"] = repeats * len(utts) / (time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data", type=Path, default=Path(os.environ.get("SSL_DATA_DIR", "/work/shared/data")) / "speech"
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--tera-steps", type=int, default=1000)
    parser.add_argument("--vc-steps", type=int, default=200)
    parser.add_argument("--tera-lr", type=float, default=2e-3)
    parser.add_argument("--vc-lr", type=float, default=5e-4)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--binary-lambda", type=float, default=0.5)
    parser.add_argument("--pseudo-lambda", type=float, default=0.3)
    parser.add_argument("--pseudo-k", type=int, default=0, help="> 0 adds the pseudo-speaker + IN arm")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("runs/bench/speech_vc"))
    a = parser.parse_args()
    torch.set_num_threads(a.threads)
    start = time.perf_counter()
    speed = feature_speed(a.data)
    results = [one_seed(a.data, a.out, s, a) for s in a.seeds]
    text = report(results, speed, a) + f"\n\ntotal wall time {time.perf_counter() - start:.0f} s"
    print(text)
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "results.md").write_text(text + "\n")
    (a.out / "results.json").write_text(json.dumps({"seeds": results, "speed": speed}, indent=1))


if __name__ == "__main__":
    main()
