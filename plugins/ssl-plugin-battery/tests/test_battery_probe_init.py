"""The fine-tuning head starts from a ridge probe (issue #18: a random head could not reach the capacity
signal of the normalisation statistics within the tuned fine-tuning budget)."""

from __future__ import annotations

import numpy as np
import torch
from ssl_plugin_battery.finetune import Split, errors, finetune_predict, probe_head, ridge_fit
from ssl_plugin_battery.method import GenEV


def test_ridge_fit_handles_wild_scales_and_constant_columns() -> None:
    g = torch.Generator().manual_seed(0)
    f = torch.randn(200, 3, generator=g) * torch.tensor([1e-3, 1.0, 1e3])
    f = torch.cat([f, torch.full((200, 1), -5.76)], dim=1)  # log-std of an unmeasured channel
    y = 2.0 * f[:, 0] / 1e-3 - 0.5 * f[:, 2] / 1e3 + 0.3
    w, b = ridge_fit(f, y)
    assert float(w[3]) == 0.0
    assert torch.allclose(f @ w + b, y, atol=0.05)


def _split(seed: int, n: int, level: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Snippets whose SOH is carried only by the absolute voltage level (what instance_norm removes)."""
    g = torch.Generator().manual_seed(seed)
    soh = 0.6 + 0.4 * torch.rand(n, generator=g)
    x = torch.randn(n, 16, 4, generator=g) * 0.01
    x[..., 0] += (level + 0.5 * soh).unsqueeze(1)
    return x, soh


def test_probe_head_reads_the_statistics_and_fine_tuning_keeps_it() -> None:
    torch.manual_seed(0)
    module = GenEV(4, 16, hidden=4, proj_dim=8).eval()
    x, y = _split(0, 64, torch.tensor(3.5))
    tx, ty = _split(1, 40, torch.tensor(3.5))
    split = Split(x, y, tx, ty, np.zeros(len(tx), dtype=np.int64), 8)
    spread = float(ty.std())
    probe = errors(finetune_predict(module.regression_model(), split, steps=0, lr=1e-4, seed=0), split)
    random = errors(
        finetune_predict(module.regression_model(), split, steps=0, lr=1e-4, seed=0, probe_init=False), split
    )
    tuned = errors(finetune_predict(module.regression_model(), split, steps=30, lr=1e-4, seed=0), split)
    assert probe["rmse"] < 0.2 * spread < random["rmse"]
    assert tuned["rmse"] < 0.1 * spread  # fine-tuning from the probe keeps it


def test_probe_head_sees_the_features_fine_tuning_sees() -> None:
    """BatchNorm re-estimated on the labelled snippets: eval-mode features = batch-normalised ones."""
    torch.manual_seed(0)
    model = GenEV(4, 16, hidden=4, proj_dim=8).regression_model()
    x, y = _split(0, 64, torch.tensor(3.5))
    with torch.no_grad():
        stale = model.eval().features(x)
    probe_head(model, x, (y - y.mean()) / y.std())
    with torch.no_grad():
        seen = model.eval().features(x)
        trained = model.train().features(x)
    # unbiased (running) vs biased (batch) variance: about 1% apart
    assert float((seen - trained).abs().max()) < 0.05 < float((stale - trained).abs().max())
