"""The small-data rule (ssl_core.engine.small_data): the pure function, the config it writes, the engine
and lifecycle applying it only to a batch the user did not choose, and the clear error otherwise."""

from __future__ import annotations

import math

import pytest
import yaml

from ssl_core.config import load_run_config
from ssl_core.engine.small_data import MAX_STEP_FACTOR, adapt_batch, adapt_config
from ssl_core.errors import ConfigError
from ssl_core.lifecycle import PretrainOptions, pretrain
from ssl_core.lifecycle.pretraining import small_data_mode


def _naive_rule(n: int, batch: int, steps: int, multiple: int, fixed: bool) -> tuple[int, int] | None:
    """The documented rule by a loop: largest power of two <= n/4, as a multiple of ``multiple``."""
    if batch <= n or n < multiple:
        return None
    size = 1
    while size * 2 <= n / 4:
        size *= 2
    while size % multiple and size > multiple:
        size -= 1
    size = max(size, multiple)
    new = steps if fixed else max(steps, min(steps * batch // size, MAX_STEP_FACTOR * steps))
    return size, new


@pytest.mark.parametrize("n", [1, 3, 5, 10, 63, 64, 100, 128, 255, 511])
@pytest.mark.parametrize(("multiple", "fixed"), [(1, False), (1, True), (2, False), (6, False)])
def test_rule_matches_the_documented_loop(n, multiple, fixed):
    found = adapt_batch(n, 512, 400, multiple=multiple, fixed_steps=fixed)
    expected = _naive_rule(n, 512, 400, multiple, fixed)
    if expected is None:
        assert found is None
        return
    assert found is not None and (found.batch_after, found.steps_after) == expected
    assert found.batch_after <= n and found.batch_after % multiple == 0
    assert found.lr_factor == pytest.approx(math.sqrt(found.batch_after / 512))


def test_rule_leaves_a_fitting_batch_alone_and_caps_the_steps():
    assert adapt_batch(512, 512, 400) is None  # one full batch per epoch: fine
    found = adapt_batch(128, 512, 400)
    assert found is not None and (found.batch_after, found.steps_after) == (32, 4 * 400)
    # the new batch is <= n/4 < batch/4, so keeping the samples seen always reaches the cap
    assert adapt_batch(200, 256, 100).steps_after == MAX_STEP_FACTOR * 100  # type: ignore[union-attr]
    line = found.line()
    assert "128 training samples" in line and "512 -> 32" in line and "400 -> 1600" in line
    assert "--set train.batch_size=N" in line


def test_adapt_config_scales_the_schedule_lr_and_ema():
    config = load_run_config(
        {
            "recipe": "core/synthetic",
            "train": {"steps": 400, "batch_size": 512},
            "optim": {"lr": 1e-3, "schedule": {"name": "warmup_cosine", "warmup_steps": 50}},
            "ema": {"base": 0.996},
        }
    )
    new, found = adapt_config(config, 128)
    assert found is not None
    assert (new.train.batch_size, new.train.steps) == (32, 1600)
    assert new.optim.schedule.warmup_steps == 200
    assert new.optim.lr == pytest.approx(1e-3 * math.sqrt(32 / 512))
    assert new.ema.base == pytest.approx(0.996**0.25)
    steps_fixed, _ = adapt_config(config, 128, fixed_steps=True)
    assert (steps_fixed.train.steps, steps_fixed.optim.schedule.warmup_steps) == (400, 50)
    multistep = load_run_config(
        {
            "recipe": "core/synthetic",
            "train": {"steps": 100, "batch_size": 64},
            "optim": {"schedule": {"name": "multistep", "milestones": [70, 90]}},
        }
    )
    assert adapt_config(multistep, 20)[0].optim.schedule.milestones == [280, 360]  # steps x4
    fractions = load_run_config(
        {
            "recipe": "core/synthetic",
            "train": {"steps": 100, "batch_size": 64},
            "optim": {"schedule": {"name": "multistep", "milestones": [0.7, 0.9]}},
        }
    )
    assert adapt_config(fractions, 20)[0].optim.schedule.milestones == [0.7, 0.9]
    keep = load_run_config({"recipe": "core/synthetic", "train": {"batch_size": 64, "drop_last": False}})
    assert adapt_config(keep, 20) == (keep, None)


def test_mode_follows_what_the_user_set():
    assert small_data_mode(PretrainOptions()) == "batch+steps"
    assert small_data_mode(PretrainOptions(steps=10)) == "batch"
    assert small_data_mode(PretrainOptions(sets=("train.steps=10",))) == "batch"
    assert small_data_mode(PretrainOptions(sets=("train.batch_size=64",))) == "off"


def test_pretrain_adapts_a_default_batch_and_says_so(toy_pm, tmp_path, capsys):
    # toy: 20 rows -> 10 training rows, default batch 16 and 4 steps
    pretrain("toy", PretrainOptions(run_dir=tmp_path / "run", sets=("recipe_args.n=20",)))
    err = capsys.readouterr().err
    assert "small dataset (10 training samples): train.batch_size 16 -> 2, train.steps 4 -> 16" in err
    saved = yaml.safe_load((tmp_path / "run" / "config.yaml").read_text())["train"]
    assert (saved["batch_size"], saved["steps"]) == (2, 16)
    baseline = yaml.safe_load((tmp_path / "run" / "no-ssl" / "config.yaml").read_text())["train"]
    assert baseline["batch_size"] == 2
    assert "small dataset" in (tmp_path / "run" / "log.txt").read_text()


def test_an_explicit_batch_that_cannot_work_is_still_an_error(toy_pm, tmp_path):
    opts = PretrainOptions(run_dir=tmp_path / "run", sets=("recipe_args.n=20", "train.batch_size=16"))
    with pytest.raises(
        ConfigError, match=r"train.batch_size: global batch 16 is larger than the dataset \(10"
    ):
        pretrain("toy", opts, echo=lambda _: None)
    assert not (tmp_path / "run").exists()
