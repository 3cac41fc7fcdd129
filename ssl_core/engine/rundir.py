"""The run directory: resolved config, environment record, and its layout.

::

    <run_dir>/config.yaml          resolved RunConfig (ssl_core.config.dump_config)
    <run_dir>/environment.json     python/torch/CUDA versions, plugins + versions, the version and commit
                                   of ssl-core and of each plugin (ssl_core.engine.provenance),
                                   world size, device, seed, global batch
    <run_dir>/metrics.jsonl        one JSON object per logged step (ssl_core.engine.metrics)
    <run_dir>/log.txt              human-readable log
    <run_dir>/checkpoints/step_<N>.pt, last.pt
"""

from __future__ import annotations

import datetime as _dt
import json
import platform
import shutil
import socket
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

import torch

from ssl_core._version import __version__
from ssl_core.config import dump_config
from ssl_core.engine.provenance import distribution_provenance
from ssl_core.errors import CheckpointError
from ssl_core.schema import RunConfig
from ssl_core.utils.atomic import atomic_writer, remove_stale_temporaries

__all__ = [
    "RUN_FILES",
    "discard_partial_run",
    "environment_info",
    "prepare_run_dir",
    "record_run",
    "write_json_atomic",
]


def _plugins() -> list[dict[str, str]]:
    found = []
    for ep in metadata.entry_points(group="ssl_core.plugins"):
        dist = getattr(ep, "dist", None)
        found.append(
            {
                "name": ep.name,
                "module": ep.value,
                "distribution": dist.name if dist is not None else "",
                "version": dist.version if dist is not None else "",
            }
        )
    return sorted(found, key=lambda d: d["name"])


def _provenance(plugins: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Version and commit of ssl-core and of every plugin distribution, keyed by distribution."""
    found = {"ssl-core": distribution_provenance("ssl-core", "ssl_core")}
    for plugin in plugins:
        if plugin["distribution"] and plugin["distribution"] not in found:
            found[plugin["distribution"]] = distribution_provenance(plugin["distribution"], plugin["module"])
    return found


def environment_info(
    *, world_size: int, device: torch.device, seed: int, global_batch: int
) -> dict[str, Any]:
    """Everything needed to reproduce the run's software and hardware context."""
    cuda = torch.version.cuda if torch.cuda.is_available() else None
    plugins = _plugins()
    return {
        "ssl_core": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "hostname": socket.gethostname(),
        "torch": torch.__version__,
        "cuda": cuda,
        "cudnn": torch.backends.cudnn.version() if cuda else None,
        "gpu": torch.cuda.get_device_name(device) if device.type == "cuda" else None,
        "device": str(device),
        "world_size": world_size,
        "seed": seed,
        "global_batch": global_batch,
        "num_threads": torch.get_num_threads(),
        "plugins": plugins,
        "provenance": _provenance(plugins),
        "started": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def write_json_atomic(obj: Any, path: Path) -> None:
    """Write ``obj`` as indented JSON through a temporary file and a rename."""
    with atomic_writer(path) as fh:
        fh.write((json.dumps(obj, indent=2, sort_keys=True) + "\n").encode("utf-8"))


class RecordThread(threading.Thread):
    """The background writer of :func:`record_run`; keeps its error for :meth:`finish` to raise."""

    error: BaseException | None = None

    def run(self) -> None:
        try:
            super().run()
        except BaseException as exc:  # noqa: BLE001 - raised again in the training thread by finish()
            self.error = exc

    def finish(self) -> None:
        """Wait for the files; raise what failed writing them (a full disk, a read-only folder)."""
        self.join()
        if self.error is not None:
            raise self.error


def record_run(run_dir: Path, config: RunConfig, **info: Any) -> RecordThread:
    """Write ``config.yaml`` and ``environment.json`` from a background thread.

    The YAML emitter and the git queries take tens of milliseconds; they overlap with the first
    training steps instead of delaying them. ``info`` goes to :func:`environment_info`; call the
    returned thread's ``finish()`` before the first checkpoint (its error is the run's error).
    """

    def work() -> None:
        dump_config(config, run_dir / "config.yaml")
        write_json_atomic(environment_info(**info), run_dir / "environment.json")

    thread = RecordThread(target=work, name="ssl-core-run-record", daemon=True)
    thread.start()
    return thread


def check_run_dir(run_dir: Path, *, resume: bool, force: bool) -> None:
    """Refuse to start a fresh run over another run's checkpoints (call on every rank).

    Raises:
        CheckpointError: ``run_dir`` already holds checkpoints and neither ``resume`` nor ``force``
            is set (that would silently mix two runs).
    """
    ckpts = run_dir / "checkpoints"
    if not resume and not force and ckpts.is_dir() and any(ckpts.glob("*.pt")):
        raise CheckpointError(
            f"{run_dir}: already holds a run; continue it with --resume {run_dir} (resume=True in Python), "
            "overwrite it with --force (force=True), or choose another run directory"
        )


def prepare_run_dir(run_dir: Path, *, resume: bool) -> None:
    """Create ``run_dir/checkpoints``; a fresh run deletes old checkpoints (rank 0 only, after
    :func:`check_run_dir`). Torn temporary files of a killed writer are removed either way."""
    ckpts = run_dir / "checkpoints"
    ckpts.mkdir(parents=True, exist_ok=True)
    for folder in (run_dir, ckpts):
        remove_stale_temporaries(folder)
    if not resume:
        for old in ckpts.glob("*.pt"):
            old.unlink()


RUN_FILES = ("config.yaml", "environment.json", "data.pt", "metrics.jsonl", "log.txt", "tb", "trackers.json")
"""What a fresh run writes at the top of its run directory (besides ``checkpoints/``)."""


def discard_partial_run(run_dir: Path, *, existed: bool) -> bool:
    """Remove what a fresh run that failed before its first checkpoint wrote; True if it did.

    A run directory that holds a checkpoint is kept (it can be resumed). One this run created is
    removed entirely; in one that existed before (``--force``), only :data:`RUN_FILES` and an empty
    ``checkpoints/`` are removed, so no reader ever finds a run without weights.
    """
    run_dir = Path(run_dir)
    ckpts = run_dir / "checkpoints"
    if not run_dir.is_dir() or (ckpts.is_dir() and any(ckpts.glob("*.pt"))):
        return False
    if not existed:
        shutil.rmtree(run_dir, ignore_errors=True)
        return True
    for name in RUN_FILES:
        target = run_dir / name
        if target.is_dir():
            shutil.rmtree(target, ignore_errors=True)
        else:
            target.unlink(missing_ok=True)
    shutil.rmtree(ckpts, ignore_errors=True)
    return True
