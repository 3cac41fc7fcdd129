"""GenEV's downstream protocol (Arunan et al., IEEE TII 2025): encoder + regression head fine-tuned with
MSE on the SOH of 10% of the training cells' labelled curves, tested on held-out cells; and the field's
strong simple baseline, gradient boosting on incremental-capacity (dQ/dV) features of the same snippets.

The labelled curves are drawn per seed; the test snippets are the same for every seed and arm (paired).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_plugin_battery.curves import ic_features
from ssl_plugin_battery.data import BatteryData
from ssl_plugin_battery.encoders import RegressionModel

TEST_SEED = 10_000
IC_BINS = 16
RIDGE_ALPHAS = tuple(10.0**k for k in np.arange(-2.0, 4.01, 0.5))


@dataclass
class Split:
    """Fine-tuning snippets (``x``, SOH ``y``) and the fixed test snippets (``test_x``, ``test_y``, curve)."""

    x: Tensor
    y: Tensor
    test_x: Tensor
    test_y: Tensor
    test_curve: np.ndarray
    n_curves: int


def labelled_split(data: BatteryData, fraction: float, per_curve: int, seed: int,
                   train_ids: np.ndarray | None = None, test_ids: np.ndarray | None = None) -> Split:  # fmt: skip
    """``fraction`` of the labelled training curves (at least 2), ``per_curve`` windows each; test windows."""
    soh = data.soh
    train = data.curve_ids("train") if train_ids is None else train_ids
    test = data.curve_ids("test") if test_ids is None else test_ids
    train, test = train[np.isfinite(soh[train])], test[np.isfinite(soh[test])]
    if len(train) < 2 or len(test) < 1:
        raise ValueError(f"{data.name}: needs >= 2 labelled training curves and a labelled test curve "
                         f"(have {len(train)} and {len(test)})")  # fmt: skip
    n = min(len(train), max(2, round(fraction * len(train))))
    chosen = np.sort(np.random.default_rng(seed).choice(train, n, replace=False))
    x, owner = data.snippets(chosen, per_curve, seed)
    tx, towner = data.snippets(test, per_curve, TEST_SEED)
    as_t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
    return Split(x, as_t(soh[owner]), tx, as_t(soh[towner]), towner, n)


def ridge_fit(f: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """Ridge regression of ``y`` on the columns of ``f`` (standardised; a constant column gets weight 0),
    the penalty chosen from ``RIDGE_ALPHAS`` by exact leave-one-out error; ``(weight, bias)`` in the
    units of ``f``."""
    f64, y64 = f.double(), y.double()
    mean, std = f64.mean(0), f64.std(0)
    std = torch.where(std > 1e-8, std, torch.ones_like(std))
    u, sv, vt = torch.linalg.svd((f64 - mean) / std, full_matrices=False)
    yc = y64 - y64.mean()
    uty, n = u.T @ yc, len(y64)
    best = (float("inf"), torch.zeros_like(sv))
    for alpha in RIDGE_ALPHAS:
        shrink = sv**2 / (sv**2 + alpha)
        hat = (u**2 * shrink).sum(1) + 1.0 / n  # leverage, intercept included
        loo = float((((yc - u @ (shrink * uty)) / (1 - hat).clamp_min(1e-6)) ** 2).mean())
        if loo < best[0]:
            best = (loo, sv / (sv**2 + alpha) * uty)
    w = (vt.T @ best[1]) / std
    return w.float(), (y64.mean() - (w * mean).sum()).float()


def probe_head(model: RegressionModel, x: Tensor, y: Tensor) -> None:
    """Set ``model``'s head to the ridge probe of ``y`` on its frozen inputs for snippets ``x``.

    The BatchNorm running statistics are first re-estimated on ``x`` (a pass in train mode, cumulative
    average), so the eval-mode features the probe sees match the batch statistics fine-tuning will use
    (a fresh projector's running statistics are the identity: its eval-mode vectors
    have a per-dimension std near 0.015, not the batch-normalised scale fine-tuning sees)."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    with torch.no_grad():
        model.train()
        for m in norms:
            m.reset_running_stats()
            m.momentum = None
        for b in x.split(256):
            if len(b) > 1:
                model.features(b)
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.eval()
        w, b = ridge_fit(torch.cat([model.features(b) for b in x.split(256)]), y)
        model.head.weight.copy_(w.unsqueeze(0))
        model.head.bias.fill_(float(b))
    model.train()


def finetune_predict(model: RegressionModel, split: Split, *, steps: int, lr: float, seed: int,
                     batch_size: int = 32, probe_init: bool = True) -> np.ndarray:  # fmt: skip
    """Fine-tune a copy of ``model`` for ``steps`` Adam steps (MSE on standardised SOH, batches drawn
    without replacement, reshuffled each pass); its test predictions (SOH).

    ``probe_init``: the new linear head starts from a ridge probe of the standardised SOH on the frozen
    head inputs (snippet vector + normalisation statistics, eval mode) instead of its random
    initialisation (linear probing, then fine-tuning); ``steps`` 0 gives the probe itself. Without it
    the head starts from random weights on inputs of very different scales (volts, log-std -5.8 for an
    unmeasured channel) and ``steps`` x ``lr`` small cannot reach the capacity signal the statistics
    carry (issue #18, README "Diagnosis: what the regression head reads")."""
    model = copy.deepcopy(model).train()
    torch.manual_seed(seed)
    mu, sd = float(split.y.mean()), float(split.y.std()) + 1e-3
    if probe_init:
        probe_head(model, split.x, (split.y - mu) / sd)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    n, done = len(split.x), 0
    while done < steps:
        for idx in torch.randperm(n, generator=gen).split(batch_size):
            if len(idx) < 2 or done >= steps:
                continue  # BatchNorm needs two rows
            loss = F.mse_loss(model(split.x[idx]), (split.y[idx] - mu) / sd)
            opt.zero_grad()
            loss.backward()
            opt.step()
            done += 1
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(b) for b in split.test_x.split(256)]) * sd + mu
    return pred.double().numpy()


def ic_baseline(split: Split, seed: int) -> np.ndarray:
    """HistGradientBoosting on dQ/dV features (voltage bins from the fine-tuning snippets); test SOH."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    x, tx = split.x.numpy(), split.test_x.numpy()
    lo, hi = np.quantile(x[..., 0], [0.01, 0.99])
    edges = np.linspace(lo, hi + 1e-6, IC_BINS + 1)
    model = HistGradientBoostingRegressor(random_state=seed, max_iter=200, min_samples_leaf=5)
    model.fit(ic_features(x, edges), split.y.numpy())
    return np.asarray(model.predict(ic_features(tx, edges)), dtype=np.float64)


def errors(pred: np.ndarray, split: Split) -> dict[str, float]:
    """RMSE and MAPE (%) of SOH predictions on the test snippets."""
    y = split.test_y.double().numpy()
    return {
        "rmse": float(np.sqrt(np.mean((pred - y) ** 2))),
        "mape": float(100 * np.mean(np.abs(pred - y) / np.abs(y))),
    }
