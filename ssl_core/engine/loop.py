"""``train()``: the explicit training loop of ssl-core.

One step, in this order::

    schedules(step) -> batch -> views/forward -> loss -> backward (x grad_accum, GradCache when
    batch-coupled) -> non-finite guard -> clip -> optimizer step -> EMA teacher -> monitors -> log
    -> checkpoint

Raw PyTorch (no Lightning), following the structure of DINOv2's ``train.py`` (Oquab et al., 2023):
pure-function schedules indexed by the global step, an EMA teacher updated with foreach ops, and
periodic atomic checkpoints. See ``docs/engine.md``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ssl_core import distributed as dist
from ssl_core.engine.accumulation import forward_backward
from ssl_core.engine.batches import batch_stream
from ssl_core.engine.metrics import StepTimer, to_floats
from ssl_core.engine.precision import to_device
from ssl_core.engine.progress import Progress
from ssl_core.engine.rundir import discard_partial_run
from ssl_core.engine.session import RunSession
from ssl_core.engine.small_data import BatchAdaptation, SmallData
from ssl_core.engine.step import (
    apply_update,
    ema_step,
)
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepOutput
from ssl_core.optim import set_lr_wd
from ssl_core.plugins.recipe_args import validate_recipe_args
from ssl_core.schema import RunConfig
from ssl_core.utils import verbosity
from ssl_core.utils.rundirs import default_run_dir

__all__ = ["TrainResult", "train"]


@dataclass
class TrainResult:
    """What :func:`train` returns."""

    run_dir: Path
    step: int
    module: SSLModule
    recipe: Recipe
    metrics: dict[str, float]
    adaptation: BatchAdaptation | None = None
    """What the small-data rule applied (``None``: nothing)."""


def _row(
    run: RunSession, out_metrics: dict[str, Tensor], loss: Tensor, extra: dict[str, float]
) -> dict[str, Any]:
    step = run.counters.step
    vals = run.schedules.at(step - 1)
    row: dict[str, Any] = {
        "step": step,
        "epoch": run.sampler.position(step - 1)[0],
        "loss": float(loss.item()),
    }
    row.update(to_floats(out_metrics))
    row.update({"lr": vals.lr, "wd": vals.wd})
    if run.module.ema_pairs():
        row["ema_momentum"] = vals.ema
    row.update(extra)
    row["nonfinite_skipped"] = run.tracker.total
    return row


def _step(run: RunSession, batch: Batch) -> StepOutput:
    """One optimizer step on this rank's ``batch`` (schedules -> forward/backward -> update -> EMA)."""
    tc, step = run.config.train, run.counters.step
    vals = run.schedules.at(step)
    set_lr_wd(run.optimizer, vals.lr, vals.wd)
    for m in run.step_aware:
        m.set_step(step, run.total)
    out = forward_backward(
        run.model,
        run.module,
        batch,
        grad_accum=tc.grad_accum,
        grad_cache=run.grad_cache,
        generator=run.generator,
        precision=run.precision,
        scaler=run.scaler,
        device=run.device,
        forward=run.forward_fn,
    )
    ok, counts = apply_update(
        run.params,
        run.optimizer,
        run.scaler,
        out.loss,
        clip_grad=tc.clip_grad,
        clip_value=tc.clip_value,
        deferred=run.deferred,
    )
    run.tracker.record(ok, counts, run.deferred)
    if not run.deferred and bool(ok.item()):  # already synchronised by the guard
        ema_step(run.module, vals.ema)
    run.counters.step += 1
    return out


def _loop(run: RunSession, stop_at: int | None) -> dict[str, float]:
    tc, c = run.config.train, run.counters
    end = min(run.total, stop_at) if stop_at is not None else run.total
    timer, last_row, pending = StepTimer(), {}, {}
    shown = verbosity.level()
    progress = Progress(
        run.total,
        c.step,
        enabled=tc.progress and run.main and shown >= verbosity.NORMAL,
        bar=verbosity.bars(),
        desc=verbosity.current_phase() or run.config.recipe,
        every_log=shown >= verbosity.VERBOSE,
    )
    if tc.num_workers and run.env_thread is not None:
        # Loader workers are forked: one forked while the record thread runs ``git`` would inherit
        # that child's exec-error pipe and keep the thread (and the first checkpoint) waiting.
        run.env_thread.finish()
    batches = batch_stream(
        run.train_data,
        run.sampler,
        c.step,
        end,
        collate=run.recipe.collate,
        num_workers=tc.num_workers,
        pin_memory=run.device.type == "cuda",
    )
    try:
        t0 = time.perf_counter()
        for raw in batches:
            batch = to_device(raw, run.device, channels_last=tc.channels_last)
            t1 = time.perf_counter()
            out = _step(run, batch)
            log, ckpt = (
                c.step % tc.log_every == 0 or c.step == end,
                c.step % tc.ckpt_every == 0 or c.step == end,
            )
            if log or ckpt or not run.deferred:
                run.tracker.check(c.step, str(run.run_dir / "checkpoints"))
            if run.monitors is not None and out.embeddings is not None:
                pending.update(run.monitors.maybe_run(c.step, out.embeddings, batch, out.loss))
            t2 = time.perf_counter()
            timer.add(samples=tc.batch_size, data_s=t1 - t0, compute_s=t2 - t1)
            if log:
                last_row = _row(run, out.metrics, out.loss, {**pending, **timer.summary()})
                pending = {}
                timer.reset()
                if run.writer is not None:
                    run.writer.write(last_row)
                progress.update(c.step, {k: v for k, v in last_row.items() if k in ("loss", "lr")})
            else:
                progress.update(c.step)
            if ckpt:
                c.nonfinite_total, c.nonfinite_in_a_row = run.tracker.total, run.tracker.in_a_row
                run.checkpoint()
            t0 = time.perf_counter()
    finally:
        progress.close()
    return {k: float(v) for k, v in last_row.items() if isinstance(v, int | float)}


def train(
    config: RunConfig,
    run_dir: str | Path | None = None,
    *,
    resume: bool = False,
    force: bool = False,
    recipe: Recipe | None = None,
    stop_at: int | None = None,
    small_data: SmallData = "off",
) -> TrainResult:
    """Train ``config.recipe`` (or ``recipe``) and write a run directory.

    Args:
        config: the resolved run configuration (``train.batch_size`` is the GLOBAL batch:
            per-rank x world size x ``grad_accum``).
        run_dir: where to write; default ``runs/<domain>/<UTC timestamp>``.
        resume: continue from ``run_dir/checkpoints/last.pt`` (bit-exact on CPU).
        force: resume even if the config hash changed, or overwrite a run directory's checkpoints.
        recipe: a built recipe to train instead of building ``config.recipe`` from the registry.
            Either way, when ``config.recipe`` is registered its ``recipe_args`` are validated first
            (:func:`ssl_core.plugins.recipe_args.validate_recipe_args`), so ``config.yaml`` holds the
            resolved arguments that :func:`ssl_core.engine.load_run` rebuilds the recipe from.
        stop_at: end early at this global step, after writing a checkpoint (for resume tests).
        small_data: apply the small-data rule (:mod:`ssl_core.engine.small_data`) to a fresh run
            whose ``train.batch_size`` the user did not choose: ``"batch"`` (steps chosen by the
            user) or ``"batch+steps"``; the result's ``adaptation`` says what was applied.

    Under torchrun this call creates the process group when none exists and destroys it before
    returning (:func:`ssl_core.distributed.destroy`); a group the caller made is left alone.

    Raises:
        CheckpointError: nothing to resume, or the checkpoint belongs to another configuration.
        ConfigError: invalid ``recipe_args``; inconsistent batch / accumulation / precision settings.
        NonFiniteError: ``train.max_nonfinite`` consecutive non-finite steps, or non-finite weights
            at a checkpoint (no checkpoint with them is written; the last good one is kept).

    A fresh run that fails before its first checkpoint leaves no run directory behind
    (:func:`ssl_core.engine.rundir.discard_partial_run`).
    """
    config = validate_recipe_args(config)
    path = Path(run_dir) if run_dir is not None else default_run_dir(config.recipe)
    existed = path.exists()
    created_group = not dist.is_initialized() and dist.init_from_env()
    if config.train.num_threads:
        torch.set_num_threads(config.train.num_threads)
    try:
        result = _train(
            config, path, recipe, resume=resume, force=force, stop_at=stop_at, small_data=small_data
        )
    except BaseException:
        if not resume and dist.is_main():  # nothing partial: no run directory without a checkpoint
            discard_partial_run(path, existed=existed)
        if created_group:
            dist.destroy(barrier_first=False)
        raise
    if created_group:  # the group this call created ends with it (see dist.destroy)
        dist.destroy()
    return result


def _train(
    config: RunConfig,
    path: Path,
    recipe: Recipe | None,
    *,
    resume: bool,
    force: bool,
    stop_at: int | None,
    small_data: SmallData = "off",
) -> TrainResult:
    run = RunSession(config, path, recipe, resume=resume, force=force, small_data=small_data)
    try:
        if run.writer is not None and run.adaptation is not None:
            run.writer.log(run.adaptation.line())
            verbosity.info(run.adaptation.line())
        if run.writer is not None:
            run.writer.log(
                f"{'resume' if resume else 'start'} at step {run.counters.step}/{run.total}: recipe={config.recipe} "
                f"world={run.world} device={run.device} precision={run.precision.name} strategy={run.strategy}"
            )
        metrics = _loop(run, stop_at)
        if run.writer is not None:
            run.writer.log(f"stopped at step {run.counters.step}: {metrics}")
            if run.env_thread is not None:  # environment.json complete before the trackers copy it
                run.env_thread.join()
            run.writer.finish(run.module if run.strategy != "fsdp2" else None)  # FSDP2: sharded weights
    except BaseException as exc:
        if run.writer is not None:
            run.writer.log(f"error at step {run.counters.step}: {type(exc).__name__}: {exc}")
        raise
    finally:
        if run.writer is not None:
            run.writer.close()
        if run.env_thread is not None:
            run.env_thread.join()
    return TrainResult(
        run_dir=path,
        step=run.counters.step,
        module=run.module,
        recipe=run.recipe,
        metrics=metrics,
        adaptation=run.adaptation,
    )
