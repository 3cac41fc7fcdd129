"""The core's bad-input corpus: configs, ``--set`` values, options, plugin selection, run directories,
checkpoints and faults, each through the real ``ssl`` CLI (see ``docs/reliability.md``)."""

from __future__ import annotations

import contextlib
import errno
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest

from ssl_core.testing.bad_inputs import BadInput, run_bad_input
from ssl_core.testing.faults import full_disk, read_only

CONFIG = (
    "recipe: core/synthetic\n"
    "recipe_args: {n_train: 256, n_eval: 64, hidden: 16, embed_dim: 8, proj_dim: 16}\n"
    "train: {steps: 3, batch_size: 64, device: cpu, progress: false, log_every: 1, monitor_every: 100}\n"
)
C = {"c.yaml": CONFIG}
TRAIN = ("train", "{tmp}/c.yaml", "--run-dir", "{tmp}/run")


def _trained(root: Path) -> None:
    """A finished 4-step core run in ``root/run`` (checkpoints at steps 2 and 4)."""
    from ssl_core.config import load_run_config
    from ssl_core.engine import train

    cfg = load_run_config(root / "c.yaml", ["train.steps=4", "train.ckpt_every=2"])
    train(cfg, root / "run")


def _damage(*names: str, data: bytes = b"not a checkpoint") -> object:
    def prepare(root: Path) -> None:
        _trained(root)
        for name in names:
            (root / "run" / "checkpoints" / name).write_bytes(data)

    return prepare


def _edit(name: str, text: str) -> object:
    def prepare(root: Path) -> None:
        _trained(root)
        (root / "run" / name).write_text(text, encoding="utf-8")

    return prepare


def _unsafe(root: Path) -> None:
    _trained(root)
    for path in (root / "run" / "checkpoints").glob("*.pt"):
        path.write_bytes(pickle.dumps({"format": 1, "payload": shutil.rmtree}))


def _unsafe_unindexed(root: Path) -> None:
    _unsafe(root)
    (root / "run" / "checkpoints" / "index.json").unlink()


def _no_checkpoints(root: Path) -> None:
    _trained(root)
    shutil.rmtree(root / "run" / "checkpoints")


def _raise_in_step(exc: BaseException) -> object:
    def fault() -> contextlib.AbstractContextManager[object]:
        return mock.patch("ssl_core.engine.loop._step", side_effect=exc)

    return fault


@contextlib.contextmanager
def _disk_full() -> Iterator[None]:
    def full(data: bytes, path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    with mock.patch("ssl_core.engine.ckpt_index._write", side_effect=full):
        yield


def _set(value: str, message: str, code: int = 2) -> BadInput:
    return BadInput(f"set-{value}", (*TRAIN, "--set", value), code, message, files=C)


CONFIG_FILES = [
    BadInput("config-missing", ("train", "{tmp}/nope.yaml"), 2, "File '{tmp}/nope.yaml' does not exist"),
    BadInput("config-empty", ("train", "{tmp}/e.yaml"), 2, "recipe: missing required key", files={"e.yaml": ""}),
    BadInput("config-invalid-yaml", ("train", "{tmp}/b.yaml"), 2, "invalid YAML: line 3, column 1",
             files={"b.yaml": "recipe: core/synthetic\ntrain: [1, 2\n"}),
    BadInput("config-duplicate-key", ("train", "{tmp}/d.yaml"), 2, "recipe: duplicate key at line 3 (first at line 1)",
             files={"d.yaml": "recipe: core/synthetic\ntrain: {steps: 2}\nrecipe: core/other\n"}),
    BadInput("config-duplicate-nested-key", ("train", "{tmp}/d.yaml"), 2, "steps: duplicate key at line 4 (first at line 3)",
             files={"d.yaml": "recipe: core/synthetic\ntrain:\n  steps: 2\n  steps: 3\n"}),
    BadInput("config-top-level-list", ("train", "{tmp}/l.yaml"), 2, "expected a mapping at the top level",
             files={"l.yaml": "- recipe\n"}),
    BadInput("config-not-utf8", ("train", "{tmp}/u.yaml"), 2, "cannot read", files={"u.yaml": b"\xff\xfe\x00bad"}),
    BadInput("config-unknown-key", ("train", "{tmp}/k.yaml"), 2, "train.nope: unknown key",
             files={"k.yaml": "recipe: core/synthetic\ntrain: {nope: 1}\n"}),
    BadInput("config-wrong-type", ("train", "{tmp}/t.yaml"), 2, "train.batch_size: expected int, got str 'abc'",
             files={"t.yaml": "recipe: core/synthetic\ntrain: {batch_size: abc}\n"}),
    BadInput("config-unknown-recipe", ("train", "{tmp}/r.yaml", "--run-dir", "{tmp}/run"), 2,
             "unknown recipes 'core/nosuch'; registered: core/synthetic",  # core alone: stable whatever is installed
             files={"r.yaml": "recipe: core/nosuch\n"}, env={"SSL_CORE_LOAD_PLUGINS": "core"}),
    BadInput("config-lr-inf-in-file", ("train", "{tmp}/i.yaml"), 2, "optim.lr: must be a finite number > 0",
             files={"i.yaml": "recipe: core/synthetic\noptim: {lr: .inf}\n"}),
    BadInput("config-recipe-args-unknown", ("train", "{tmp}/a.yaml"), 2, "recipe_args.nope: unknown key",
             files={"a.yaml": "recipe: core/synthetic\nrecipe_args: {nope: 1}\n"}),
    BadInput("init-unknown-domain", ("init", "nodomain"), 2, "no plugin provides a default config"),
    BadInput("init-over-existing-file", ("init", "core", "-o", "{tmp}/c.yaml"), 1, "exists; pass --force", files=C),
    BadInput("config-recipe-not-a-string", ("train", "{tmp}/r.yaml"), 2, "recipe: expected str, got int 5",
             files={"r.yaml": "recipe: 5\n"}),
    BadInput("config-section-null", ("train", "{tmp}/n.yaml"), 2, "train: expected a mapping for TrainConfig",
             files={"n.yaml": "recipe: core/synthetic\ntrain: null\n"}),
    BadInput("config-recipe-args-list", ("train", "{tmp}/l.yaml"), 2, "recipe_args: expected dict[str, Any], got list",
             files={"l.yaml": "recipe: core/synthetic\nrecipe_args: [1, 2]\n"}),
    BadInput("config-batch-larger-than-data", ("train", "{tmp}/s.yaml", "--run-dir", "{tmp}/run"), 2,
             "global batch 64 is larger than the dataset (32 samples)",
             files={"s.yaml": "recipe: core/synthetic\nrecipe_args: {n_train: 32}\ntrain: {batch_size: 64}\n"}),
]  # fmt: skip

SET_VALUES = [
    _set("optim.lr=.inf", "optim.lr: must be a finite number > 0.0, got inf"),
    _set("optim.lr=nan", "optim.lr: must be a finite number > 0.0, got nan"),
    _set("optim.lr=-1e-3", "optim.lr: must be a finite number > 0.0"),
    _set("optim.lr=0", "optim.lr: must be a finite number > 0.0, got 0.0"),
    _set("optim.lr=fast", "optim.lr: expected float, got str 'fast'"),
    _set("optim.weight_decay=-0.1", "optim.weight_decay: must be a finite number >= 0.0"),
    _set("optim.betas=[0.9,1.5]", "optim.betas[1]: must be a finite number >= 0 and < 1"),
    _set("optim.betas=[0.9]", "optim.betas: expected 2 items"),
    _set("optim.eps=0", "optim.eps: must be a finite number > 0.0"),
    _set("optim.momentum=2", "optim.momentum: must be a finite number >= 0.0 and <= 1.0"),
    _set("train.loggers=[jsonl,wandb]", "train.loggers[1]: unknown logger 'wandb'; expected one of jsonl"),
    _set("train.loggers=[mlflow,mlflow]", "train.loggers[1]: 'mlflow' is listed twice"),
    _set("train.mlflow_uri=file:/tmp/x", "train.mlflow_uri: is set but train.loggers does not list 'mlflow'"),
    _set("optim.name=rmsprop", "optim.name: expected one of 'adamw'"),
    _set("optim.schedule.name=poly", "optim.schedule.name: unknown schedule 'poly'"),
    _set("optim.schedule.warmup_steps=-1", "optim.schedule.warmup_steps: must be >= 0"),
    _set("optim.schedule.gamma=.nan", "optim.schedule.gamma: must be a finite number > 0.0"),
    _set("ema.base=1.5", "ema.base: must be a finite number >= 0.0 and <= 1.0"),
    _set("train.steps=0", "train.steps: must be >= 1, got 0"),
    _set("train.steps=-5", "train.steps: must be >= 1, got -5"),
    _set("train.steps=1.5", "train.steps: expected int, got float 1.5"),
    _set("train.epochs=0", "train.epochs: must be >= 1, got 0"),
    _set("train.batch_size=0", "train.batch_size: must be >= 1, got 0"),
    _set("train.grad_accum=0", "train.grad_accum: must be >= 1, got 0"),
    _set("train.ckpt_every=0", "train.ckpt_every: must be >= 1, got 0"),
    _set("train.log_every=0", "train.log_every: must be >= 1, got 0"),
    _set("train.log_every=-5", "train.log_every: must be >= 1, got -5"),
    _set("train.monitor_every=-1", "train.monitor_every: must be >= 0 (0 turns the monitors off), got -1"),
    _set("train.keep_checkpoints=-1", "train.keep_checkpoints: must be >= 0 (0 keeps every step checkpoint)"),
    _set("train.max_nonfinite=0", "train.max_nonfinite: must be >= 1, got 0"),
    _set("train.num_workers=-1", "train.num_workers: must be >= 0, got -1"),
    _set("train.num_threads=0", "train.num_threads: must be >= 1, got 0"),
    _set("train.clip_grad=-1", "train.clip_grad: must be a finite number > 0.0"),
    _set("train.clip_value=.inf", "train.clip_value: must be a finite number > 0.0"),
    _set("train.seed=-1", "train.seed: must be >= 0, got -1"),
    _set(
        "train.device=tpu", "train.device: unknown device 'tpu'; expected one of auto, cpu, cuda, cuda:N, mps"
    ),
    _set("train.device=cuda:99", "available here: auto, cpu", code=2),
    _set("train.precision=fp8", "train.precision: expected one of 'auto'"),
    _set("train.batch_size=abc", "train.batch_size: expected int, got str 'abc'"),
    BadInput(
        "set-batch-not-divisible",
        (*TRAIN, "--set", "train.batch_size=63", "--set", "train.grad_accum=2"),
        2,
        "global batch 63 must be divisible by world size x grad_accum = 1 x 2",
        files=C,
    ),
    _set("train=5", "train: expected a mapping for TrainConfig"),
    _set("train.steps", "must look like key.sub=value"),
    _set("=3", "must look like key.sub=value"),
    _set("train..steps=3", "must look like key.sub=value"),
    _set("recipe_args={a: 1, a: 2}", "duplicate key 'a'"),
    _set("recipe_args.n_train=0", "recipe_args.n_train: must be >= 1, got 0"),
    _set("recipe_args.hidden=0", "recipe_args.hidden: must be >= 1, got 0"),
    _set("recipe_args.mask_ratio=1.0", "recipe_args.mask_ratio: must be >= 0 and < 1"),
    _set("recipe_args.separation=.nan", "recipe_args.separation: must be a finite number > 0, got nan"),
    _set("recipe_args.temperature=0", "recipe_args.temperature: must be a finite number > 0"),
    _set("recipe_args.objective=simclr", "recipe_args.objective: expected one of 'vicreg', 'ntxent'"),
]

OPTIONS_AND_PLUGINS = [
    BadInput("option-device-tpu", (*TRAIN, "--device", "tpu"), 2, "unknown device 'tpu'", files=C),
    BadInput("option-unknown", (*TRAIN, "--nope"), 2, "No such option '--nope'", files=C),
    BadInput("option-eval-device-tpu", ("eval", "{tmp}", "--device", "tpu"), 2, "unknown device 'tpu'"),
    BadInput("command-unknown", ("nope",), 2, "No such command 'nope'"),
    BadInput("option-nproc-zero", (*TRAIN, "--nproc-per-node", "0"), 2, "'--nproc-per-node': 0 is not in the range",
             files=C),
    BadInput("option-components-kind", ("components", "--kind", "widgets"), 2, "'widgets' is not one of"),
    BadInput("new-plugin-non-empty-dir", ("new-plugin", "foo", "-o", "{tmp}/d"), 2, "exists and is not empty",
             files={"d/keep.txt": "x"}),
    BadInput("new-plugin-bad-name", ("new-plugin", "Bad-Name!", "-o", "{tmp}/p"), 2, "'Bad-Name!' must match"),
    BadInput("eval-seeds-zero", ("eval", "{tmp}", "--seeds", "0"), 2, "'--seeds': 0 is not in the range"),
    BadInput("env-load-unknown-plugin", ("components",), 2, "SSL_CORE_LOAD_PLUGINS: unknown plugin name(s) nosuch",
             env={"SSL_CORE_LOAD_PLUGINS": "nosuch"}),
    BadInput("env-disable-unknown-plugin", ("components",), 2, "SSL_CORE_DISABLE_PLUGINS: unknown plugin name(s) x-y",
             env={"SSL_CORE_DISABLE_PLUGINS": "core,x_y"}),
]  # fmt: skip

RUN_DIRS = [
    BadInput("eval-not-a-run-dir", ("eval", "{tmp}"), 2, "not a run directory"),
    BadInput("eval-missing-dir", ("eval", "{tmp}/nope"), 2, "does not exist"),
    BadInput("eval-run-without-checkpoints", ("eval", "{tmp}/run"), 1, "checkpoint not found",
             files=C, prepare=_no_checkpoints),
    BadInput("eval-every-checkpoint-damaged", ("eval", "{tmp}/run"), 1, "no intact checkpoint to load",
             files=C, prepare=_damage("last.pt", "step_2.pt", "step_4.pt")),
    BadInput("eval-unsafe-checkpoint", ("eval", "{tmp}/run"), 1, "damaged checkpoint (",
             files=C, prepare=_unsafe),
    BadInput("eval-unsafe-unindexed-checkpoint", ("eval", "{tmp}/run"), 1,
             "refused: it holds objects other than tensors", files=C, prepare=_unsafe_unindexed),
    BadInput("eval-config-duplicate-key", ("eval", "{tmp}/run"), 2, "duplicate key",
             files=C, prepare=_edit("config.yaml", "recipe: core/synthetic\nrecipe: core/synthetic\n")),
    BadInput("eval-config-garbage", ("eval", "{tmp}/run"), 2, "config.yaml: <yaml>: invalid YAML",
             files=C, prepare=_edit("config.yaml", "recipe: [\n")),
    BadInput("eval-bad-index", ("eval", "{tmp}/run"), 1, "unreadable checkpoint index",
             files=C, prepare=_edit("checkpoints/index.json", "{")),
    BadInput("train-over-existing-run", TRAIN, 1, "already holds a run", files=C, prepare=_trained),
    BadInput("resume-every-checkpoint-damaged", ("train", "--resume", "{tmp}/run"), 1,
             "no intact checkpoint to load", files=C, prepare=_damage("last.pt", "step_2.pt", "step_4.pt")),
    BadInput("resume-changed-config", ("train", "--resume", "{tmp}/run", "--set", "optim.lr=0.5"), 1,
             "written by a different configuration", files=C, prepare=_trained),
    BadInput("resume-no-run", ("train", "--resume", "{tmp}"), 2, "config.yaml: <file>: file not found"),
    BadInput("plot-not-a-run-dir", ("plot", "{tmp}"), 1, "metrics.jsonl"),
    BadInput("report-not-a-run-dir", ("report", "{tmp}"), 2, "not a run directory (config.yaml missing)"),
    BadInput("report-missing-dir", ("report", "{tmp}/nope"), 2, "does not exist"),
]  # fmt: skip

FAULTS = [
    BadInput("fault-disk-full-at-checkpoint", TRAIN, 1, "No space left on device", files=C, fault=_disk_full),
    BadInput("fault-run-dir-under-a-file", ("train", "{tmp}/c.yaml", "--run-dir", "{tmp}/afile/run"), 1,
             "Not a directory", files={**C, "afile": "x"}),
    BadInput("fault-unexpected-error-is-logged", TRAIN, 1, "unexpected RuntimeError: boom; the traceback is in",
             files=C, fault=_raise_in_step(RuntimeError("boom"))),
    BadInput("fault-keyboard-interrupt", TRAIN, 130, "Interrupted.", files=C,
             fault=_raise_in_step(KeyboardInterrupt())),
    BadInput("fault-non-finite-training-exits-1", (*TRAIN, "--set", "optim.lr=1e30"), 1,
             "the model's weights became non-finite (NaN/Inf) by step 3", files=C),
    BadInput("fault-permission-error", TRAIN, 1, "Permission denied: /locked", files=C,
             fault=lambda: mock.patch("ssl_core.engine.session.save_data_state",
                                      side_effect=PermissionError(errno.EACCES, "Permission denied", "/locked"))),
    BadInput("fault-tracker-extra-missing", (*TRAIN, "--set", "train.loggers=[jsonl,mlflow]"), 2,
             "'mlflow' needs the optional extra: pip install 'ssl-core[trackers]'", files=C,
             fault=lambda: mock.patch.dict("ssl_core.engine.trackers._MODULES", {"mlflow": "ssl_core_not_installed"})),
    # a disk that fills up half-way through a write, and read-only folders (as root: mocked EACCES)
    BadInput("fault-disk-full-mid-checkpoint", TRAIN, 1, "No space left on device: {tmp}/run/checkpoints/step_3.pt",
             files=C, fault=lambda: full_disk("step_*.pt", after=1000)),
    BadInput("fault-disk-full-mid-index", TRAIN, 1, "No space left on device: {tmp}/run/checkpoints/index.json",
             files=C, fault=lambda: full_disk("index.json", after=10), may_create=("run",)),  # complete step_3.pt: resumable
    BadInput("fault-disk-full-config-yaml", TRAIN, 1, "No space left on device: {tmp}/run/config.yaml",
             files=C, fault=lambda: full_disk("config.yaml", after=10)),  # written by a background thread
    BadInput("fault-read-only-run-dir", ("train", "{tmp}/c.yaml", "--run-dir", "{tmp}/ro"), 1,
             "Permission denied: {tmp}/ro", files={**C, "ro/.keep": ""}, fault=lambda: read_only(Path("ro"))),
    BadInput("fault-resume-read-only-run", ("train", "--resume", "{tmp}/run", "--set", "train.steps=6"), 1,
             "Permission denied: {tmp}/run", files=C, prepare=_trained, fault=lambda: read_only(Path("run"))),
    BadInput("fault-plot-disk-full", ("plot", "{tmp}/run"), 1, "No space left on device: {tmp}/run/plots/",
             files=C, prepare=_trained, fault=lambda: full_disk("*.png"), may_create=("run/plots",)),
    BadInput("fault-plot-read-only", ("plot", "{tmp}/run"), 1, "Permission denied: {tmp}/run/plots",
             files=C, prepare=_trained, fault=lambda: read_only(Path("run"))),
]  # fmt: skip

CASES = [*CONFIG_FILES, *SET_VALUES, *OPTIONS_AND_PLUGINS, *RUN_DIRS, *FAULTS]


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_bad_input(case: BadInput, tmp_path: Path) -> None:
    run_bad_input(case, tmp_path)
