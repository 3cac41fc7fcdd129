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

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor
from torch.utils.data import Dataset

from ssl_core import distributed as dist
from ssl_core.config import config_hash
from ssl_core.engine.accumulation import check_accumulation, forward_backward, forward_loss
from ssl_core.engine.batches import batch_stream
from ssl_core.engine.checkpoint import (
    atomic_symlink,
    checkpoint_path,
    latest_checkpoint,
    prune_checkpoints,
)
from ssl_core.engine.ckpt_index import load_newest_intact, save_verified
from ssl_core.engine.data_state import save_data_state
from ssl_core.engine.metrics import MetricsWriter, StepTimer, to_floats
from ssl_core.engine.monitoring import Monitors
from ssl_core.engine.precision import apply_channels_last, resolve_precision, to_device
from ssl_core.engine.progress import Progress
from ssl_core.engine.rng import seed_everything, view_generator
from ssl_core.engine.rundir import check_run_dir, discard_partial_run, prepare_run_dir, record_run
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.engine.setup import build_recipe, per_rank_batch, resolve_strategy, select_device, total_steps
from ssl_core.engine.sharded import is_sharded, save_sharded
from ssl_core.engine.state import Counters, collect_state, read_state, restore_state
from ssl_core.engine.step import (
    NonFiniteTracker,
    Schedules,
    apply_update,
    check_finite_weights,
    ema_step,
    supports_deferred_guard,
)
from ssl_core.errors import CheckpointError, ConfigError
from ssl_core.interfaces import Batch, Recipe, SSLModule, StepAware, StepOutput
from ssl_core.optim import build_optimizer, set_lr_wd
from ssl_core.plugins.recipe_args import validate_recipe_args
from ssl_core.schema import RunConfig
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


class _Run:
    """The live objects of one training run (kept together so the loop body stays short)."""

    def __init__(
        self, config: RunConfig, run_dir: Path, recipe: Recipe | None, *, resume: bool, force: bool
    ) -> None:
        tc = config.train
        self.config, self.run_dir = config, run_dir
        self.world, self.rank, self.main = dist.world_size(), dist.rank(), dist.is_main()
        self.device = select_device(tc.device)
        self.precision = resolve_precision(tc.precision, self.device)
        self.strategy = resolve_strategy(tc.strategy, self.world)
        per_rank_batch(config, self.world)
        if recipe is None:
            torch.manual_seed(tc.seed)  # identical initial weights on every rank
        self.recipe = recipe if recipe is not None else build_recipe(config)
        if self.recipe.train_data is None:
            raise ConfigError(
                config.recipe, "train_data", "the recipe has no training data (restored for evaluation only)"
            )
        self.train_data: Dataset[Any] = self.recipe.train_data
        self.module: SSLModule = self.recipe.module
        self.step_aware = [m for m in self.module.modules() if isinstance(m, StepAware)]
        self.grad_cache = check_accumulation(self.module, tc.grad_accum, self.strategy)
        if tc.channels_last:
            apply_channels_last(self.module)
        self.model = dist.wrap_model(self.module, self.strategy, self.device)
        self.forward_fn: Any = torch.compile(forward_loss) if tc.compile else forward_loss
        self.params = [p for p in self.module.parameters() if p.requires_grad]
        self.optimizer = build_optimizer(self.module, config.optim)
        self.scaler = self.precision.make_scaler()
        self.sampler = GlobalBatchSampler(
            len(self.train_data),  # type: ignore[arg-type]
            tc.batch_size,
            seed=tc.seed,
            drop_last=tc.drop_last,
            rank=self.rank,
            world_size=self.world,
        )
        self.total = total_steps(config, self.sampler)
        self.schedules = Schedules(config, self.total)
        self.hash = config_hash(config)
        seed_everything(tc.seed, self.rank)
        self.generator = view_generator(tc.seed, self.rank, self.device)
        self.monitors = (
            Monitors(self.recipe.label_key, tc.monitor_every, config.recipe) if self.main else None
        )
        self.counters = Counters()
        resume_step = self._resume(force) if resume else None
        self.deferred = supports_deferred_guard(self.optimizer, self.scaler, self.module)
        self.tracker = NonFiniteTracker(
            tc.max_nonfinite, self.counters.nonfinite_total, self.counters.nonfinite_in_a_row
        )
        self.env_thread = None
        check_run_dir(run_dir, resume=resume, force=force)
        dist.barrier()
        if self.main:
            prepare_run_dir(run_dir, resume=resume)
            if not resume:
                save_data_state(run_dir, self.recipe)
            self.env_thread = record_run(
                run_dir,
                config,
                world_size=self.world,
                device=self.device,
                seed=tc.seed,
                global_batch=tc.batch_size,
            )
        dist.barrier()
        self.writer = (
            MetricsWriter(run_dir, resume_step=resume_step, tensorboard=tc.tensorboard) if self.main else None
        )

    def _resume(self, force: bool) -> int:
        latest = latest_checkpoint(self.run_dir)
        if is_sharded(latest):  # an FSDP2 run: the DCP directory, resharded to this world
            state, path = read_state(latest, self.module, self.optimizer), latest
        else:  # the newest intact single file (size + sha256 in the index), with a warning
            state, path, skipped = load_newest_intact(self.run_dir)
            if skipped and self.main:
                print(
                    f"warning: resuming from {path} (step {state['step']}): {'; '.join(skipped)}",
                    file=sys.stderr,
                )
        if state["config_hash"] != self.hash and not force:
            raise CheckpointError(
                f"{path}: written by a different configuration (hash {state['config_hash'][:12]} != "
                f"{self.hash[:12]}); resume with the original config, or pass force=True / --force"
            )
        self.counters = restore_state(
            state,
            module=self.module,
            optimizer=self.optimizer,
            scaler=self.scaler,
            sampler=self.sampler,
            generator=self.generator,
            strategy=self.strategy,
        )
        if self.monitors is not None and state.get("probe"):
            self.monitors.load_probe(state["probe"])
        return self.counters.step

    def checkpoint(self) -> None:
        check_finite_weights(self.module, self.counters.step, self.run_dir)
        state = collect_state(
            module=self.module,
            optimizer=self.optimizer,
            scaler=self.scaler,
            sampler=self.sampler,
            generator=self.generator,
            counters=self.counters,
            config_hash=self.hash,
            strategy=self.strategy,
            probe=self.monitors.probe if self.monitors is not None else None,
        )
        if self.strategy == "fsdp2":  # every rank writes its shards (collective)
            step_path = checkpoint_path(self.run_dir, self.counters.step, sharded=True)
            save_sharded(state, step_path)
            if self.main:
                atomic_symlink(step_path, checkpoint_path(self.run_dir, "last", sharded=True))
                prune_checkpoints(self.run_dir, self.config.train.keep_checkpoints, sharded=True)
        elif self.main:
            save_verified(state, self.run_dir, self.counters.step, self.config.train.keep_checkpoints)
        dist.barrier()


def _row(run: _Run, out_metrics: dict[str, Tensor], loss: Tensor, extra: dict[str, float]) -> dict[str, Any]:
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


def _step(run: _Run, batch: Batch) -> StepOutput:
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


def _loop(run: _Run, stop_at: int | None) -> dict[str, float]:
    tc, c = run.config.train, run.counters
    end = min(run.total, stop_at) if stop_at is not None else run.total
    timer, last_row, pending = StepTimer(), {}, {}
    progress = Progress(run.total, c.step, enabled=tc.progress and run.main)
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
                progress.update(
                    c.step, {k: v for k, v in last_row.items() if k in ("loss", "lr", "samples_per_s")}
                )
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
        result = _train(config, path, recipe, resume=resume, force=force, stop_at=stop_at)
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
) -> TrainResult:
    run = _Run(config, path, recipe, resume=resume, force=force)
    try:
        if run.writer is not None:
            run.writer.log(
                f"{'resume' if resume else 'start'} at step {run.counters.step}/{run.total}: recipe={config.recipe} "
                f"world={run.world} device={run.device} precision={run.precision.name} strategy={run.strategy}"
            )
        metrics = _loop(run, stop_at)
        if run.writer is not None:
            run.writer.log(f"stopped at step {run.counters.step}: {metrics}")
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
        run_dir=path, step=run.counters.step, module=run.module, recipe=run.recipe, metrics=metrics
    )
