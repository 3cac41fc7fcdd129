"""Uni4Eye's downstream comparison: a linear probe on the SSL encoder vs the same ViT without SSL
(random init, same probe) vs a small CNN trained from scratch (the field's simple baseline).

Cai et al., "Uni4Eye", MICCAI 2022, report fine-tuning and linear evaluation against a ViT trained
from scratch; the MedMNIST metrics are ROC AUC and accuracy on the official test split (Yang et al.,
2023). Each labelled dimensionality (BreastMNIST 2D, AdrenalMNIST3D 3D in the embedded default) gets
rows for ``auc`` and ``acc``; ``label_fraction`` of the training labels are used (drawn per seed).
Seeds pair the rows (paired t-interval); one seed pairs the test items (paired bootstrap).
:func:`evaluate` is the plugin's one evaluation (``ssl-medical evaluate``, ``ssl eval``, ``ssl demo``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ssl_core.errors import ConfigError
from ssl_core.evaluation import ComparisonRow, mean_reduce, standardisation
from ssl_core.interfaces import SSLModule
from ssl_core.lifecycle import EvalContext
from ssl_plugin_medical.baselines import train_cnn
from ssl_plugin_medical.config import Uni4EyeArgs
from ssl_plugin_medical.data import KEYS, MedicalData, Split
from ssl_plugin_medical.metrics import auc_reduce, auc_score
from ssl_plugin_medical.views import unit_range

QUICK_EPOCHS = 5
Scores = dict[str, np.ndarray]  # "prob": (N,) positive-class probability or (N, K), "correct": (N,)


@torch.no_grad()
def embed_split(
    embed: Callable[[dict[str, Tensor]], Tensor], x: Tensor, ndim: int, batch: int = 128
) -> Tensor:
    """Frozen features ``(N, D)`` of uint8 items, in batches."""
    return torch.cat([embed({KEYS[ndim]: x[i : i + batch]}).float() for i in range(0, len(x), batch)])


def labelled_subset(n: int, fraction: float, seed: int) -> Tensor:
    """Seeded ``fraction`` of ``range(n)`` (at least 2 items)."""
    k = max(2, round(fraction * n))
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:k]


def linear_probe_probs(train_x: Tensor, train_y: Tensor, test_x: Tensor, n_classes: int, *, epochs: int,
                       lr: float, seed: int) -> Tensor:  # fmt: skip
    """Logistic regression (full-batch Adam) on standardised features; test probabilities ``(N, K)``."""
    torch.manual_seed(seed)
    mean, std = standardisation(train_x)
    head = torch.nn.Linear(train_x.shape[1], n_classes)
    opt = torch.optim.Adam(head.parameters(), lr=lr)
    x = (train_x - mean) / std
    for _ in range(epochs):
        loss = F.cross_entropy(head(x), train_y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return head((test_x - mean) / std).softmax(-1)


def scores(probs: Tensor, y: Tensor) -> Scores:
    """Per-test-item ``correct`` (1/0) and the ``(score, label)`` items of the AUC (binary tasks)."""
    out = {"correct": (probs.argmax(-1) == y).double().numpy()}
    if probs.shape[1] == 2:
        out["auc"] = np.stack([probs[:, 1].double().numpy(), y.double().numpy()], axis=1)
    return out


def _rows(
    task: str, ssl: list[Scores], base: list[Scores], baseline: str, extra: dict[str, object]
) -> list[ComparisonRow]:
    rows, info = [], {"baseline": baseline, **extra}
    for metric, key in (("auc", "auc"), ("acc", "correct")):
        if key not in ssl[0]:
            continue
        if len(ssl) > 1:
            value = (lambda s: auc_score(s[:, 0], s[:, 1])) if key == "auc" else (lambda s: float(s.mean()))
            rows.append(ComparisonRow.from_seeds(task, metric, [value(s[key]) for s in ssl],
                                                 [value(b[key]) for b in base], extra=info))  # fmt: skip
        else:
            reduce = auc_reduce if key == "auc" else mean_reduce
            rows.append(ComparisonRow.from_items(task, metric, ssl[0][key], base[0][key], reduce=reduce,
                                                 extra=info, unit="test items"))  # fmt: skip
    return rows


def compare_dim(ssl_embed: Callable[[dict[str, Tensor]], Tensor], rand_embed: Callable[[int], Callable[..., Tensor]],
                data: MedicalData, ndim: int, args: Uni4EyeArgs, *, seeds: range, epochs: int,
                cnn_epochs: int, each: Callable[[range], Iterable[int]] = iter) -> list[ComparisonRow]:  # fmt: skip
    """Rows of one labelled dimensionality: SSL probe vs random-init probe, and vs the small CNN.

    ``each`` wraps the loop over ``seeds`` (``EvalContext.timed`` prints the expected duration)."""
    train: Split = data.splits["train"][ndim].head(data.keep_train)
    test: Split = data.splits["test"][ndim]
    assert train.y is not None and test.y is not None
    n_classes = int(max(int(train.y.max()), int(test.y.max()))) + 1
    feats = {"ssl": (embed_split(ssl_embed, train.x, ndim), embed_split(ssl_embed, test.x, ndim))}
    mean, std = data.stats[ndim]
    norm = lambda x: (unit_range(x) - mean) / std  # noqa: E731
    runs: dict[str, list[Scores]] = {"ssl": [], "rand": [], "cnn": []}
    for seed in each(seeds):
        idx = labelled_subset(len(train.x), args.label_fraction, seed)
        rand = rand_embed(seed)
        feats["rand"] = (embed_split(rand, train.x, ndim), embed_split(rand, test.x, ndim))
        for name in ("ssl", "rand"):
            tr, te = feats[name]
            probs = linear_probe_probs(
                tr[idx], train.y[idx], te, n_classes, epochs=epochs, lr=args.probe_lr, seed=seed
            )
            runs[name].append(scores(probs, test.y))
        probs = train_cnn(
            norm(train.x[idx]), train.y[idx], norm(test.x), n_classes, epochs=cnn_epochs, seed=seed
        )
        runs["cnn"].append(scores(probs, test.y))
    task = f"{data.names.get(ndim, data.name)} ({ndim}D)"
    extra: dict[str, object] = {"seeds": len(seeds), "n_labelled": len(idx), "n_test": len(test.x)}
    return _rows(
        task, runs["ssl"], runs["rand"], "same ViT without SSL (random init), linear probe", extra
    ) + _rows(task, runs["ssl"], runs["cnn"], "small CNN from scratch (same labels)", extra)


def evaluate(module: SSLModule, data: MedicalData, ctx: EvalContext) -> list[ComparisonRow]:
    """The run's comparison rows for every labelled dimensionality (``ctx.quick``: 1 seed, few epochs).

    Raises:
        ConfigError: no labelled test split (nothing to evaluate against).
    """
    args = Uni4EyeArgs(**ctx.config.recipe_args)
    dims = [d for d in data.dims if data.labelled(d)]
    if not dims:
        raise ConfigError(ctx.run_dir / "config.yaml", "recipe_args.data",
                          "the run's data has no labelled test split: use a MedMNIST npz or an image folder with labels.csv")  # fmt: skip
    seeds = range(ctx.seeds or (1 if ctx.quick else args.eval_seeds))
    epochs = min(args.probe_epochs, QUICK_EPOCHS) if ctx.quick else args.probe_epochs
    cnn_epochs = 1 if ctx.quick else args.cnn_epochs
    module.eval()

    def rand_embed(seed: int) -> Callable[..., Tensor]:
        return ctx.random_init(seed).embed

    rows: list[ComparisonRow] = []
    for d in dims:
        rows += compare_dim(
            module.embed,
            rand_embed,
            data,
            d,
            args,
            seeds=seeds,
            epochs=epochs,
            cnn_epochs=cnn_epochs,
            each=ctx.timed,
        )
    return rows
