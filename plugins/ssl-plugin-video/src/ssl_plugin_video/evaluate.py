"""``ssl-video evaluate``: the main stage from the pretrained weights vs the same model without SSL.

Kim et al. (AAAI 2021): question-prediction pre-training, then the main stage (CE + localisation +
masked-answer contrastive) on the labelled questions. Compared on the test questions (split by
clip): the same model and main stage from random initialisation (no SSL), a bag-of-words
conditional logit (:mod:`ssl_plugin_video.baselines`) and chance (1 / options). Several seeds give a
paired t-interval over seeds; one seed (``--quick``) a paired bootstrap over the test questions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from ssl_core.errors import ConfigError
from ssl_core.evaluation import ComparisonRow
from ssl_core.lifecycle import EvalContext
from ssl_plugin_video.baselines import bow_correct
from ssl_plugin_video.config import VideoQAArgs
from ssl_plugin_video.data import PreparedQA
from ssl_plugin_video.finetune import predict, train_main_stage
from ssl_plugin_video.method import MainStage, VideoQA

QUICK_STEPS = 4


def _row(
    task: str, metric: str, ssl: Sequence[np.ndarray], base: Sequence[np.ndarray], extra: dict[str, object]
) -> ComparisonRow:
    if len(ssl) > 1:
        a, b = [float(np.nanmean(s)) for s in ssl], [float(np.nanmean(x)) for x in base]
        return ComparisonRow.from_seeds(task, metric, a, b, extra=extra)
    keep = ~np.isnan(ssl[0])
    return ComparisonRow.from_items(
        task, metric, ssl[0][keep], base[0][keep], extra=extra, unit="test questions"
    )


def compare(pretrained: VideoQA, fresh: Callable[[int], VideoQA], data: PreparedQA, args: VideoQAArgs, *,
            seeds: Sequence[int], steps: int, device: object = "cpu",
            each: Callable[[Sequence[int]], Iterable[int]] = iter) -> list[ComparisonRow]:  # fmt: skip
    """Rows: SSL vs no-SSL (same model, random init), vs bag-of-words, vs chance; accuracy (+ span IoU).

    ``each`` wraps the loop over ``seeds`` (``EvalContext.timed`` prints the expected duration)."""
    if "test" not in data.splits or not bool((data.splits["train"].tensors["labelled"]).any()):
        raise ValueError("evaluation needs labelled training questions and a test split")
    train, test = data.splits["train"], data.splits["test"]
    if bool((test.tensors["answer"] < 0).any()):
        raise ValueError("the test split has unlabelled questions")
    stage = MainStage(args.lambda_loc, args.lambda_con, args.tau, args.mask_prob)
    runs: dict[str, list[dict[str, np.ndarray]]] = {"ssl": [], "no-ssl": []}
    for seed in each(seeds):
        for name, start in (("ssl", pretrained), ("no-ssl", fresh(seed))):
            lr = args.ft_lr if name == "ssl" else args.ft_lr_scratch
            model = train_main_stage(start, train, stage, steps=steps, batch_size=args.ft_batch, lr=lr,
                                     seed=seed, device=device)  # type: ignore[arg-type]  # fmt: skip
            runs[name].append(predict(model, test, device=device))  # type: ignore[arg-type]
    n_opt = int(test.tensors["a"].shape[1])
    bow = bow_correct(train.tensors, test.tensors)
    chance = np.full(len(test), 1.0 / n_opt)
    extra = {"seeds": len(seeds), "n_labelled": int(train.tensors["labelled"].sum()), "n_test": len(test)}
    ssl_acc = [r["correct"] for r in runs["ssl"]]
    rows = [
        _row(
            data.name,
            "acc",
            ssl_acc,
            [r["correct"] for r in runs["no-ssl"]],
            {"baseline": "same model without SSL", **extra},
        ),
        _row(
            data.name,
            "acc",
            ssl_acc,
            [bow] * len(ssl_acc),
            {"baseline": "bag-of-words conditional logit", **extra},
        ),
        _row(
            data.name, "acc", ssl_acc, [chance] * len(ssl_acc), {"baseline": f"chance (1/{n_opt})", **extra}
        ),
    ]
    if not np.isnan(runs["ssl"][0]["iou"]).all():
        rows.append(_row(data.name, "iou", [r["iou"] for r in runs["ssl"]], [r["iou"] for r in runs["no-ssl"]],
                         {"baseline": "same model without SSL", **extra}))  # fmt: skip
    return rows


def evaluate(module: VideoQA, data: PreparedQA, ctx: EvalContext) -> list[ComparisonRow]:
    """The run's comparison rows (:func:`compare`); ``ctx.quick``: one seed, ``QUICK_STEPS`` steps.

    Raises:
        ConfigError: no labelled training question or no test split.
    """
    args = VideoQAArgs(**ctx.config.recipe_args)
    seeds = range(ctx.seeds or (1 if ctx.quick else args.eval_seeds))
    steps = min(args.ft_steps, QUICK_STEPS) if ctx.quick else args.ft_steps
    try:
        return compare(module, lambda s: ctx.random_init(1000 + s), data, args, seeds=seeds, steps=steps,  # type: ignore[arg-type,return-value]
                       device=ctx.device, each=ctx.timed)  # fmt: skip
    except ValueError as exc:
        raise ConfigError(ctx.run_dir / "config.yaml", "recipe_args.data", str(exc)) from exc
