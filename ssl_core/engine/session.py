"""The live objects of one training run, and how they resume from and write checkpoints.

``RunSession`` resolves the device, precision and strategy, builds the recipe, the optimizer, the
sampler and the schedules, prepares the run directory, restores the checkpoint it resumes from and
writes new ones (:meth:`RunSession.checkpoint`); the step order itself lives in
:mod:`ssl_core.engine.loop`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch.utils.data import Dataset

from ssl_core import distributed as dist
from ssl_core.config import config_hash
from ssl_core.engine.accumulation import check_accumulation, forward_loss
from ssl_core.engine.checkpoint import atomic_symlink, checkpoint_path, latest_checkpoint, prune_checkpoints
from ssl_core.engine.ckpt_index import newest_intact_state, save_verified
from ssl_core.engine.data_state import save_data_state
from ssl_core.engine.metrics import MetricsWriter
from ssl_core.engine.monitoring import Monitors
from ssl_core.engine.precision import apply_channels_last, resolve_precision
from ssl_core.engine.rng import seed_everything, view_generator
from ssl_core.engine.rundir import check_run_dir, prepare_run_dir, record_run
from ssl_core.engine.sampler import GlobalBatchSampler
from ssl_core.engine.setup import build_recipe, per_rank_batch, resolve_strategy, select_device, total_steps
from ssl_core.engine.sharded import is_sharded, save_sharded
from ssl_core.engine.small_data import BatchAdaptation, SmallData, adapt_config
from ssl_core.engine.state import Counters, collect_state, read_state, restore_state
from ssl_core.engine.step import NonFiniteTracker, Schedules, check_finite_weights, supports_deferred_guard
from ssl_core.engine.trackers import check_trackers, open_trackers
from ssl_core.errors import CheckpointError, ConfigError
from ssl_core.interfaces import Recipe, SSLModule, StepAware
from ssl_core.nn.regions import compile_regions
from ssl_core.optim import build_optimizer
from ssl_core.resources import check_memory
from ssl_core.schema import RunConfig

__all__ = ["RunSession"]


class RunSession:
    """The live objects of one training run (kept together so the loop body stays short)."""

    def __init__(
        self,
        config: RunConfig,
        run_dir: Path,
        recipe: Recipe | None,
        *,
        resume: bool,
        force: bool,
        small_data: SmallData = "off",
    ) -> None:
        tc = config.train
        self.config, self.run_dir = config, run_dir
        self.world, self.rank, self.main = dist.world_size(), dist.rank(), dist.is_main()
        self.device = select_device(tc.device)
        self.precision = resolve_precision(tc.precision, self.device)
        self.strategy = resolve_strategy(tc.strategy, self.world)
        per_rank_batch(config, self.world)
        check_trackers(tc)  # every rank, before any work: a missing extra is a one-line error
        if recipe is None:
            torch.manual_seed(tc.seed)  # identical initial weights on every rank
        self.recipe = recipe if recipe is not None else build_recipe(config)
        if self.recipe.train_data is None:
            raise ConfigError(
                config.recipe, "train_data", "the recipe has no training data (restored for evaluation only)"
            )
        if self.recipe.estimate_memory is not None:  # before anything is written (issue 14)
            micro = per_rank_batch(config, self.world) // tc.grad_accum
            check_memory(self.recipe.estimate_memory(micro), self.device)
        self.train_data: Dataset[Any] = self.recipe.train_data
        self.module: SSLModule = self.recipe.module
        self.step_aware = [m for m in self.module.modules() if isinstance(m, StepAware)]
        self.grad_cache = check_accumulation(self.module, tc.grad_accum, self.strategy)
        if tc.channels_last:
            apply_channels_last(self.module)
        if tc.compile_regions:
            compile_regions(self.module)  # repeated blocks compiled once each (ssl_core.nn.regions)
        self.model = dist.wrap_model(self.module, self.strategy, self.device)
        self.forward_fn: Any = torch.compile(forward_loss) if tc.compile else forward_loss
        self.params = [p for p in self.module.parameters() if p.requires_grad]
        self.optimizer = build_optimizer(self.module, config.optim)
        self.scaler = self.precision.make_scaler()
        self.adaptation: BatchAdaptation | None = None
        if small_data != "off" and not resume:  # the small-data rule (ssl_core.engine.small_data)
            config, self.adaptation = adapt_config(
                config,
                len(self.train_data),  # type: ignore[arg-type]
                self.world,
                fixed_steps=small_data == "batch",
            )
            self.config, tc = config, config.train
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
        try:
            self.writer = (
                MetricsWriter(
                    run_dir,
                    resume_step=resume_step,
                    trackers=open_trackers(run_dir, tc, resume_step=resume_step),
                )
                if self.main
                else None
            )
        except BaseException:
            if self.env_thread is not None:  # no error of its own on top of this one
                self.env_thread.join()
            raise
        if self.writer is not None:
            self.writer.log_config(config)

    def _resume(self, force: bool) -> int:
        latest = latest_checkpoint(self.run_dir)
        if is_sharded(latest):  # an FSDP2 run: the DCP directory, resharded to this world
            state, path = read_state(latest, self.module, self.optimizer), latest
        else:  # the newest intact single file (size + sha256 in the index), with a warning
            state, path = newest_intact_state(self.run_dir, "resuming from", warn=self.main)
        if state["config_hash"] != self.hash and not force:
            raise CheckpointError(
                f"{path}: written by a different configuration (hash {state['config_hash'][:12]} != "
                f"{self.hash[:12]}); resume with the original config, or pass force=True / --force"
            )
        self.counters = restore_state(state, **self._stateful())
        if self.monitors is not None and state.get("probe"):
            self.monitors.load_probe(state["probe"])
        return self.counters.step

    def _stateful(self) -> dict[str, Any]:
        """What a checkpoint saves and a resume restores, by the names ``collect_state`` and
        ``restore_state`` take."""
        return {
            "module": self.module,
            "optimizer": self.optimizer,
            "scaler": self.scaler,
            "sampler": self.sampler,
            "generator": self.generator,
            "strategy": self.strategy,
        }

    def checkpoint(self) -> None:
        if self.env_thread is not None:  # config.yaml and environment.json exist before any checkpoint
            self.env_thread.finish()
        check_finite_weights(self.module, self.counters.step, self.run_dir)
        state = collect_state(
            **self._stateful(),
            counters=self.counters,
            config_hash=self.hash,
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
