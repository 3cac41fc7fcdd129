"""Pretraining and fine-tuning of the GenEVBattery arms for ``bench/battery_genev.py``.

Two pretraining modes:
* default (``per_seed=False``): every arm is pretrained once per fold with seed 0 (initialisation, batch
  order, masks, and the draw of the unlabelled windows); fine-tuning seed ``s`` starts from those models;
* ``per_seed=True``: fine-tuning seed ``s`` starts from arms pretrained with seed ``s`` (each seed
  pretrains its own models; the scratch arm's initialisation also comes from seed ``s``). Seed 0 then
  reproduces the default mode exactly.
"""

from __future__ import annotations

import numpy as np
import torch
from ssl_plugin_battery.config import GenEVArgs
from ssl_plugin_battery.data import BatteryData
from ssl_plugin_battery.finetune import Split, errors, finetune_predict, ic_baseline
from ssl_plugin_battery.method import GenEV, build_genev

ARMS = ("scratch", "reconstruction", "contrastive", "full", "ic")
NEURAL = ARMS[:4]
SEEDS = (0, 1, 2)


def pretrain(
    args: GenEVArgs, x: torch.Tensor, loss: str, steps: int, batch: int = 32, seed: int = 0
) -> GenEV:
    """GenEV (``loss``) trained ``steps`` Adam steps (lr 1e-3) on snippets ``x`` with ``seed``; scratch
    (the seeded initialisation only) when steps == 0."""
    torch.manual_seed(seed)
    module = build_genev(GenEVArgs(**{**args.__dict__, "loss": loss}), 4)
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        idx = torch.randint(0, len(x), (batch,), generator=gen)
        out = module({"x": x[idx]}, gen)
        opt.zero_grad()
        out.loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 1.0)
        opt.step()
    return module.eval()


def arm_modules(
    args: GenEVArgs, data: BatteryData, ids: np.ndarray, steps: int, seed: int
) -> dict[str, GenEV]:
    """The four neural arms pretrained with ``seed`` on the unlabelled windows (drawn with ``seed``) of ``ids``."""
    x, _ = data.snippets(ids, args.windows_per_curve, seed)
    return {
        arm: pretrain(
            args, x, "full" if arm == "scratch" else arm, 0 if arm == "scratch" else steps, seed=seed
        )
        for arm in NEURAL
    }


def ft_kwargs(args: GenEVArgs, arm: str, scratch_ft: tuple[float, int] | None) -> dict[str, float | int]:
    """Fine-tuning ``lr`` and ``steps`` of ``arm``: the scratch arm's own (lr, steps) when given."""
    lr, steps = scratch_ft if arm == "scratch" and scratch_ft else (args.ft_lr, args.ft_steps)
    return {"lr": lr, "steps": steps}


def pretrain_seeds(per_seed: bool) -> list[tuple[int, list[int]]]:
    """``(pretraining seed, fine-tuning seeds that start from it)`` pairs of the chosen mode."""
    return [(s, [s]) for s in SEEDS] if per_seed else [(0, list(SEEDS))]


def run_fold(
    args: GenEVArgs,
    data: BatteryData,
    pre_ids: np.ndarray,
    splits: list[Split],
    steps: int,
    per_seed: bool,
    scratch_ft: tuple[float, int] | None = None,
    pre_data: BatteryData | None = None,
) -> dict[str, list[dict[str, float]]]:
    """Errors of every arm on ``splits`` (one per seed, in ``SEEDS`` order) after pretraining on ``pre_ids``
    (curves of ``pre_data``, default ``data``).

    Each arm is fine-tuned right after its pretraining: the new linear head draws from the global torch
    generator, so this order keeps the default mode identical to the earlier one-pretraining bench."""
    out: dict[str, list[dict[str, float]]] = {arm: [] for arm in ARMS}
    out["ic"] = [errors(ic_baseline(s, seed), s) for seed, s in zip(SEEDS, splits)]
    by_seed: dict[tuple[str, int], dict[str, float]] = {}
    for pre_seed, ft_seeds in pretrain_seeds(per_seed):
        x, _ = (pre_data or data).snippets(pre_ids, args.windows_per_curve, pre_seed)
        for arm in NEURAL:
            m = pretrain(
                args, x, "full" if arm == "scratch" else arm, 0 if arm == "scratch" else steps, seed=pre_seed
            )
            for seed in ft_seeds:
                s = splits[SEEDS.index(seed)]
                pred = finetune_predict(
                    m.regression_model(), s, seed=seed, **ft_kwargs(args, arm, scratch_ft)
                )
                by_seed[arm, seed] = errors(pred, s)
    for arm in NEURAL:
        out[arm] = [by_seed[arm, seed] for seed in SEEDS]
    return out


def pooled_split(folds: list[Split]) -> Split:
    """The test parts of ``folds`` concatenated (leave-one-vehicle-out errors pooled over vehicles)."""
    return Split(folds[0].x, folds[0].y, torch.cat([f.test_x for f in folds]), torch.cat([f.test_y for f in folds]),
                 np.concatenate([f.test_curve for f in folds]), 0)  # fmt: skip


def packs_fold(
    args: GenEVArgs,
    lab: BatteryData,
    folds: list[Split],
    steps: int,
    per_seed: bool,
    scratch_ft: tuple[float, int] | None = None,
) -> dict[str, list[dict[str, float]]]:
    """Pretrain on the lab cells (once, or per seed), fine-tune on each vehicle fold, pooled errors."""
    pooled = pooled_split(folds)
    out: dict[str, list[dict[str, float]]] = {arm: [] for arm in ARMS}
    out["ic"] = [errors(np.concatenate([ic_baseline(f, seed) for f in folds]), pooled) for seed in SEEDS]
    by_seed: dict[int, dict[str, dict[str, float]]] = {}
    for pre_seed, ft_seeds in pretrain_seeds(per_seed):
        modules = arm_modules(args, lab, lab.curve_ids("train"), steps, pre_seed)
        for seed in ft_seeds:
            by_seed[seed] = {}
            for arm, m in modules.items():
                kw = ft_kwargs(args, arm, scratch_ft)
                preds = [finetune_predict(m.regression_model(), f, seed=seed, **kw) for f in folds]
                by_seed[seed][arm] = errors(np.concatenate(preds), pooled)
    for arm in NEURAL:
        out[arm] = [by_seed[seed][arm] for seed in SEEDS]
    return out
