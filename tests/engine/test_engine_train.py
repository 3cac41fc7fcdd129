"""End-to-end tests of ssl_core.engine.train on CPU: run directory, load_run, resume, guard, EMA."""

from __future__ import annotations

import dataclasses
import functools
import json
import types
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from _engine_toy import NoisyContrastive, Poisoned, Regress, WithTeacher, config, recipe
from torch import Tensor

from ssl_core import hookimpl
from ssl_core.config import config_hash, load_run_config
from ssl_core.engine import load_run, train
from ssl_core.engine.checkpoint import list_checkpoints, load_checkpoint
from ssl_core.engine.step import NonFiniteError, NonFiniteTracker
from ssl_core.errors import CheckpointError, ConfigError
from ssl_core.plugins.manifest import PluginManifest
from ssl_core.schedules import build_schedule
from ssl_core.schema import EMAConfig, RunConfig


def _params(module: torch.nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _equal(a: dict[str, Tensor], b: dict[str, Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def _rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_run_directory_contents_and_load_run(tmp_path: Path) -> None:
    cfg = config(steps=6, keep_checkpoints=1)
    res = train(cfg, tmp_path, recipe=recipe(label_key="y"))
    assert res.step == 6 and res.run_dir == tmp_path
    assert load_run_config(tmp_path / "config.yaml") == cfg
    env = json.loads((tmp_path / "environment.json").read_text())
    for key in (
        "python",
        "torch",
        "cuda",
        "plugins",
        "provenance",
        "world_size",
        "device",
        "seed",
        "global_batch",
    ):
        assert key in env
    assert env["world_size"] == 1 and env["device"] == "cpu" and env["global_batch"] == 16
    rows = _rows(tmp_path)
    assert [r["step"] for r in rows] == [1, 2, 3, 4, 5, 6]
    for key in ("epoch", "loss", "loss/mse", "lr", "wd", "samples_per_s", "data_ms", "compute_ms"):
        assert key in rows[0]
    assert [r["epoch"] for r in rows] == [0, 0, 0, 0, 1, 1]  # 64 samples / 16 = 4 steps per epoch
    assert "monitor/rankme" in rows[1] and "probe/linear_acc" in rows[1] and "monitor/rankme" not in rows[0]
    sched = build_schedule(cfg.optim.schedule, 6)
    assert [r["lr"] for r in rows] == pytest.approx([cfg.optim.lr * sched(s) for s in range(6)])
    assert res.metrics["loss"] == rows[-1]["loss"]
    assert "start at step 0/6" in (tmp_path / "log.txt").read_text()
    assert [s for s, _ in list_checkpoints(tmp_path)] == [6]
    loaded = load_run(tmp_path, recipe=recipe())
    assert loaded.step == 6 and _equal(_params(loaded.module), _params(res.module))
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["probe"] is not None


@dataclass
class ToyArgs:
    n: int = 64
    label_key: str | None = None


def test_train_and_load_run_validate_recipe_args(tmp_path: Path, ssl_pm) -> None:
    plugin = types.ModuleType("toy_recipe_plugin")
    plugin.PLUGIN = PluginManifest("test", "test")  # type: ignore[attr-defined]
    plugin.ssl_register_recipes = hookimpl(  # type: ignore[attr-defined]
        lambda registry: registry.add("test/toy", lambda **kw: recipe(**kw), config_cls=ToyArgs)
    )
    with ssl_pm.registered(plugin):
        bad = dataclasses.replace(config(steps=2), recipe_args={"nn": 3})
        with pytest.raises(ConfigError, match=r"recipe_args.nn: unknown key"):
            train(bad, tmp_path / "bad", recipe=recipe())
        assert not (tmp_path / "bad").exists()
        res = train(dataclasses.replace(config(steps=2), recipe_args={"n": 32}), tmp_path / "run")
        saved = load_run_config(tmp_path / "run" / "config.yaml")
        assert saved.recipe_args == {"n": 32, "label_key": None}  # resolved: defaults filled in
        (tmp_path / "run" / "config.yaml").write_text(
            (tmp_path / "run" / "config.yaml").read_text().replace("n: 32", "n: many")
        )
        with pytest.raises(ConfigError, match=r"config.yaml: recipe_args.n: expected int"):
            load_run(tmp_path / "run")
    assert res.step == 2


def test_existing_run_dir_is_not_overwritten(tmp_path: Path) -> None:
    train(config(steps=2), tmp_path, recipe=recipe())
    with pytest.raises(CheckpointError, match="already holds a run"):
        train(config(steps=2), tmp_path, recipe=recipe())
    train(config(steps=2), tmp_path, recipe=recipe(), force=True)
    with pytest.raises(CheckpointError, match="not found"):
        train(config(steps=2), tmp_path / "empty", recipe=recipe(), resume=True)


NOISY = functools.partial(NoisyContrastive, noise=0.3, dropout=0.2)


@pytest.mark.parametrize(("factory", "stop", "accum"), [(Regress, 4, 1), (NOISY, 3, 1), (NOISY, 5, 2)])
def test_resume_is_bit_exact(tmp_path: Path, factory: object, stop: int, accum: int) -> None:
    cfg = config(steps=9, ckpt_every=100, grad_accum=accum)
    full = train(cfg, tmp_path / "full", recipe=recipe(factory, label_key="y"))
    part = train(cfg, tmp_path / "part", recipe=recipe(factory, label_key="y"), stop_at=stop)
    assert part.step == stop and not _equal(_params(part.module), _params(full.module))
    resumed = train(cfg, tmp_path / "part", recipe=recipe(factory, label_key="y"), resume=True)
    assert resumed.step == 9
    assert _equal(_params(resumed.module), _params(full.module))
    assert [r["step"] for r in _rows(tmp_path / "part")] == list(range(1, 10))
    assert _rows(tmp_path / "part")[-1]["loss"] == _rows(tmp_path / "full")[-1]["loss"]


def test_resume_with_changed_config_is_refused_unless_forced(tmp_path: Path) -> None:
    cfg = config(steps=4)
    train(cfg, tmp_path, recipe=recipe(), stop_at=2)
    changed = config(steps=4, seed=5)
    assert config_hash(changed) != config_hash(cfg)
    with pytest.raises(CheckpointError, match="different configuration"):
        train(changed, tmp_path, recipe=recipe(), resume=True)
    assert train(changed, tmp_path, recipe=recipe(), resume=True, force=True).step == 4
    longer = train(config(steps=6, seed=5), tmp_path, recipe=recipe(), resume=True)  # steps is not hashed
    assert longer.step == 6


def _fused(cfg: RunConfig, fused: bool) -> RunConfig:
    cfg.optim.fused = fused  # fused AdamW: the guard skips through found_inf, without a host sync
    return cfg


@pytest.mark.parametrize("fused", [False, True])
def test_nonfinite_steps_are_skipped_and_counted(tmp_path: Path, fused: bool) -> None:
    res = train(
        _fused(config(steps=4, ckpt_every=100), fused),
        tmp_path / "nan",
        recipe=recipe(functools.partial(Poisoned, {2}, {3})),
    )
    rows = _rows(tmp_path / "nan")
    assert [r["nonfinite_skipped"] for r in rows] == [0, 1, 2, 2]
    assert rows[1]["loss"] == "nan"
    # skipped steps 2 and 3 leave the weights (and AdamW's state) of step 1 untouched
    first = train(
        _fused(config(steps=4, ckpt_every=100), fused), tmp_path / "first", recipe=recipe(), stop_at=1
    )
    skipped = train(
        _fused(config(steps=4, ckpt_every=100), fused),
        tmp_path / "skip",
        recipe=recipe(functools.partial(Poisoned, {2, 3})),
        stop_at=3,
    )
    assert _equal(_params(first.module), _params(skipped.module))
    opt_a = load_checkpoint(tmp_path / "first" / "checkpoints" / "last.pt")["optimizer"]["state"]
    opt_b = load_checkpoint(tmp_path / "skip" / "checkpoints" / "last.pt")["optimizer"]["state"]
    assert all(torch.equal(opt_a[i]["exp_avg"], opt_b[i]["exp_avg"]) for i in opt_a)
    assert all(torch.equal(opt_a[i]["step"], opt_b[i]["step"]) for i in opt_a)
    assert res.step == 4


@pytest.mark.parametrize("fused", [False, True])
def test_too_many_nonfinite_steps_stop_with_last_good_checkpoint(tmp_path: Path, fused: bool) -> None:
    cfg = _fused(config(steps=20, ckpt_every=2, max_nonfinite=3), fused)
    with pytest.raises(NonFiniteError, match="3 consecutive steps") as info:
        train(cfg, tmp_path, recipe=recipe(functools.partial(Poisoned, after=4)))
    assert "max_nonfinite=3" in str(info.value)
    good = load_checkpoint(tmp_path / "checkpoints" / "last.pt")
    assert good["step"] == 6  # steps 5, 6 skipped but checkpointed as unchanged weights; step 7 raised
    assert all(torch.isfinite(v).all() for v in good["model"].values() if v.is_floating_point())
    clean = train(
        _fused(config(steps=20, ckpt_every=100), fused), tmp_path / "clean", recipe=recipe(), stop_at=4
    )
    assert _equal(good["model"], _params(clean.module))
    assert "NonFiniteError" in (tmp_path / "log.txt").read_text()


def test_ema_teacher_follows_the_student(tmp_path: Path) -> None:
    cfg = config(steps=1)
    cfg.ema = EMAConfig(base=0.5, final=0.5, schedule="constant")
    start = recipe(WithTeacher)
    t0 = _params(start.module.teacher)
    res = train(cfg, tmp_path, recipe=start)
    student, teacher = _params(res.module.net), _params(res.module.teacher)
    for k in t0:
        assert torch.allclose(teacher[k], 0.5 * t0[k] + 0.5 * student[k], atol=1e-7)
    assert _rows(tmp_path)[0]["ema_momentum"] == 0.5


def test_bad_settings_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="divisible by world size x grad_accum"):
        train(config(batch_size=15, grad_accum=2), tmp_path / "a", recipe=recipe())
    with pytest.raises(ConfigError, match="fp16"):
        train(config(precision="fp16"), tmp_path / "b", recipe=recipe())


def test_bf16_autocast_and_workers_train(tmp_path: Path) -> None:
    res = train(config(steps=2, precision="bf16"), tmp_path / "bf16", recipe=recipe())
    assert res.step == 2 and all(isinstance(r["loss"], float) for r in _rows(tmp_path / "bf16"))
    direct = train(config(steps=3), tmp_path / "w0", recipe=recipe())
    workers = train(config(steps=3, num_workers=1), tmp_path / "w1", recipe=recipe())
    assert _equal(_params(direct.module), _params(workers.module))


def test_deferred_guard_stops_at_the_next_check_before_checkpointing(tmp_path: Path) -> None:
    cfg = _fused(config(steps=20, log_every=5, ckpt_every=4, max_nonfinite=3), True)
    with pytest.raises(NonFiniteError, match="4 consecutive steps"):
        train(cfg, tmp_path, recipe=recipe(functools.partial(Poisoned, after=4)))
    assert load_checkpoint(tmp_path / "checkpoints" / "last.pt")["step"] == 4


def test_tracker_keeps_the_longest_streak_between_checks() -> None:
    tracker = NonFiniteTracker(limit=2)
    for ok in (True, False, False, True):
        tracker.record(torch.tensor(ok), True, deferred=True)
    with pytest.raises(NonFiniteError, match="2 consecutive"):
        tracker.check(4, "ckpts")
    assert tracker.total == 2 and tracker.in_a_row == 0
    sync = NonFiniteTracker(limit=2)
    sync.record(torch.tensor(False), False, deferred=False)  # an fp16 overflow does not count
    sync.check(1, "ckpts")
    assert sync.total == 0


def test_epochs_set_the_run_length(tmp_path: Path) -> None:
    res = train(
        config(steps=1000, epochs=2), tmp_path, recipe=recipe()
    )  # 64 samples / 16 = 4 steps per epoch
    assert res.step == 8 and [r["epoch"] for r in _rows(tmp_path)] == [0] * 4 + [1] * 4


def test_clip_grad_bounds_the_update(tmp_path: Path) -> None:
    cfg = config(steps=1, clip_grad=1e-3)
    cfg.optim.name, cfg.optim.lr = "sgd", 1.0  # first SGD step: delta = -lr * clipped gradient
    before = _params(recipe().module)
    after = _params(train(cfg, tmp_path, recipe=recipe()).module)
    delta = torch.cat([(after[k] - before[k]).flatten() for k in before if k != "target"])
    assert torch.linalg.vector_norm(delta).item() == pytest.approx(1e-3, rel=1e-4)
