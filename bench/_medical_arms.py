"""Arms and downstream protocols of ``bench/medical_uni4eye.py`` (Uni4Eye, Cai et al., MICCAI 2022).

Pretraining arms (embedded BreastMNIST 2D + AdrenalMNIST3D 3D train splits, labels unused):
``mae-pixel`` (joint 2D + 3D, gradient branch off: lambda = 0), ``uni4eye-single`` (one run per
dimensionality, on its own data), ``uni4eye-joint`` (2D + 3D alternating). Downstream: fine-tuning
(encoder + linear head, AdamW) and a linear probe on frozen features, with 10% or 100% of the training
labels (drawn per seed), AUC and accuracy on the official test splits. ``scratch`` is the same ViT
fine-tuned from random weights; ``cnn`` a small CNN trained from scratch on the same labels.

Extra 3D data (``extra``, on by default in the bench): the CT / MR DICOM series and the NIfTI volumes under
``$SSL_DATA_DIR/medical`` join the 3D training items of every arm that pretrains on 3D (``mae-pixel``,
``uni4eye-3d``, ``uni4eye-joint``) as 28^3 crops at 1.4 mm (``recipe_args.extra_3d``,
:mod:`ssl_plugin_medical.crops`).
"""

from __future__ import annotations

import copy
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from ssl_plugin_medical.baselines import train_cnn
from ssl_plugin_medical.data import KEYS, Split
from ssl_plugin_medical.evaluate import embed_split, labelled_subset, linear_probe_probs
from ssl_plugin_medical.metrics import auc_score
from ssl_plugin_medical.views import unit_range

from ssl_core.config import load_run_config
from ssl_core.engine import train
from ssl_core.utils.bench import peak_rss_mb

MODEL = {"dim": 64, "depth": 4, "heads": 4, "dec_dim": 32, "dec_depth": 1, "dec_heads": 4}
PRETRAIN = {
    "mae-pixel": {"dims": "2d+3d", "grad_weight": 0.0},
    "uni4eye-2d": {"dims": "2d"},
    "uni4eye-3d": {"dims": "3d"},
    "uni4eye-joint": {"dims": "2d+3d"},
}


def extra_3d_paths() -> list[str]:
    """The unlabelled volumes added to 3D pretraining: CT (JPEG 2000) and MR EPI DICOM series, two NIfTI."""
    root = os.environ.get("SSL_DATA_DIR", "").strip()
    if not root:
        raise SystemExit("set SSL_DATA_DIR (e.g. /work/shared/data), or pass --no-extra-3d")
    med = Path(root) / "medical"
    paths = [med / "dicom" / "ct_series_totalsegmentator", med / "dicom" / "mr_epi_series_nih_ge",
             *sorted((med / "nifti").glob("*.nii.gz"))]  # fmt: skip
    return [str(p) for p in paths]


def pretrain(arm: str, steps_per_dim: int, run_dir: Any, seed: int = 0,
             extra: list[str] | None = None) -> tuple[Any, dict[str, float]]:  # fmt: skip
    """Train one arm through the engine; ``steps_per_dim`` steps per dimensionality it holds.

    ``extra``: volumes added to the 3D training items (``recipe_args.extra_3d``) of an arm with 3D data.
    """
    args = {**MODEL, **PRETRAIN[arm]}
    if extra and args["dims"] != "2d":
        args["extra_3d"] = list(extra)
    steps = steps_per_dim * (2 if args["dims"] == "2d+3d" else 1)
    cfg = load_run_config({
        "recipe": "medical/uni4eye", "recipe_args": args,
        "train": {"steps": steps, "batch_size": 64, "progress": False, "seed": seed, "log_every": 50, "ckpt_every": steps},
        "optim": {"name": "adamw", "lr": 1.5e-3, "betas": [0.9, 0.95], "weight_decay": 0.05,
                  "schedule": {"name": "warmup_cosine", "warmup_steps": max(1, steps // 10)}},
    })  # fmt: skip
    start = time.perf_counter()
    result = train(cfg, run_dir)
    wall = time.perf_counter() - start
    n_train = len(result.recipe.train_data)
    samples = sum(64 if (s % 2 == 0 or args["dims"] != "2d+3d") else 16 for s in range(steps))
    timing = {"steps": steps, "wall_s": wall, "samples_per_s": samples / wall,
              "epoch_s": wall * n_train / max(samples, 1), "peak_rss_mb": peak_rss_mb()}  # fmt: skip
    return result.module.eval(), timing


def pretrain_arms(
    steps_per_dim: int, work: Any, seed: int, extra: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """Every pretraining arm of :data:`PRETRAIN` with ``seed``, run under ``work / arm``; modules and timings."""
    modules, timings = {}, {}
    for arm in PRETRAIN:
        modules[arm], timings[arm] = pretrain(arm, steps_per_dim, work / arm, seed=seed, extra=extra)
        print(f"[pretrain {arm} seed {seed}] {timings[arm]}", flush=True)
    return modules, timings


def task_modules(pretrained: dict[str, Any], ndim: int) -> dict[str, Any]:
    """The ``mae`` / ``single`` / ``joint`` arms of one task (``single`` is the run on its own dimensionality)."""
    single = pretrained["uni4eye-2d" if ndim == 2 else "uni4eye-3d"]
    return {"mae": pretrained["mae-pixel"], "single": single, "joint": pretrained["uni4eye-joint"]}


def _normalised(module: Any, x: torch.Tensor) -> torch.Tensor:
    return module.normalise(unit_range(x))


def finetune_probs(module: Any, train: Split, idx: torch.Tensor, test: Split, ndim: int, *, epochs: int,
                   lr: float, seed: int) -> torch.Tensor:  # fmt: skip
    """Fine-tune a copy of ``module.encoder`` + a linear head on ``train[idx]``; test probabilities."""
    torch.manual_seed(seed)
    enc = copy.deepcopy(module.encoder).train()
    assert train.y is not None
    n_classes = int(train.y.max()) + 1
    head = torch.nn.Linear(enc.output_dim, n_classes)
    opt = torch.optim.AdamW([*enc.parameters(), *head.parameters()], lr=lr, weight_decay=0.05)
    x, y = _normalised(module, train.x[idx]), train.y[idx]
    gen = torch.Generator().manual_seed(seed)
    key = KEYS[ndim]
    for _ in range(epochs):
        order = torch.randperm(len(x), generator=gen)
        for s in range(0, len(order), 32):
            b = order[s : s + 32]
            loss = F.cross_entropy(head(enc({key: x[b]})["pooled"]), y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    enc.eval()
    with torch.no_grad():
        xt = _normalised(module, test.x)
        return torch.cat(
            [head(enc({key: xt[i : i + 128]})["pooled"]).softmax(-1) for i in range(0, len(xt), 128)]
        )


def metrics(probs: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """AUC (binary) and accuracy."""
    return {"auc": auc_score(probs[:, 1].double().numpy(), y.numpy()),
            "acc": float((probs.argmax(-1) == y).float().mean())}  # fmt: skip


def downstream(modules: dict[str, Any], scratch: Any, train: Split, test: Split, ndim: int, fraction: float,
               seed: int, *, ft_epochs: int, probe_epochs: int, cnn_epochs: int, finetune: bool,
               cache: dict[Any, Any]) -> dict[str, Any]:  # fmt: skip
    """One (task, fraction, seed): every arm's fine-tune / probe metrics, the scratch ViT and the CNN.

    ``cache`` keeps the frozen features of the pretrained arms (they do not depend on the downstream seed;
    use one cache per set of pretrained ``modules``).
    """
    assert train.y is not None and test.y is not None
    idx = labelled_subset(len(train.x), fraction, seed)
    n_classes = int(train.y.max()) + 1
    out: dict[str, Any] = {}
    for name, module in {"scratch": scratch, **modules}.items():
        if finetune:
            t = time.perf_counter()
            probs = finetune_probs(module, train, idx, test, ndim, epochs=ft_epochs, lr=1e-3, seed=seed)
            out[f"ft/{name}"] = {**metrics(probs, test.y), "s": time.perf_counter() - t}
        key = (name, ndim, seed if name == "scratch" else None)
        if key not in cache:
            cache[key] = (embed_split(module.embed, train.x, ndim), embed_split(module.embed, test.x, ndim))
        tr, te = cache[key]
        probs = linear_probe_probs(
            tr[idx], train.y[idx], te, n_classes, epochs=probe_epochs, lr=1e-2, seed=seed
        )
        out[f"lp/{name}"] = metrics(probs, test.y)
    norm = scratch.normalise
    t = time.perf_counter()
    probs = train_cnn(norm(unit_range(train.x[idx])), train.y[idx], norm(unit_range(test.x)), n_classes,
                      epochs=cnn_epochs, seed=seed)  # fmt: skip
    out["cnn"] = {**metrics(probs, test.y), "s": time.perf_counter() - t}
    return out


def values(runs: list[dict[str, Any]], key: str, metric: str) -> np.ndarray:
    """Per-seed values of ``runs[i][key][metric]``."""
    return np.array([r[key][metric] for r in runs], dtype=np.float64)
