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


def finetune_predict(model: RegressionModel, split: Split, *, steps: int, lr: float, seed: int,
                     batch_size: int = 32) -> np.ndarray:  # fmt: skip
    """Fine-tune a copy of ``model`` for ``steps`` Adam steps (MSE on standardised SOH, batches drawn
    without replacement, reshuffled each pass); its test predictions (SOH)."""
    model = copy.deepcopy(model).train()
    torch.manual_seed(seed)
    mu, sd = float(split.y.mean()), float(split.y.std()) + 1e-3
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
