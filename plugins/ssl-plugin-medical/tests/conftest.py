"""Shared helpers: the CLIs in-process, small synthetic inputs, the real data folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from click.testing import CliRunner


@dataclass
class Ran:
    """Exit code and output (stdout and stderr) of a command run in-process."""

    exit_code: int
    output: str


def ssl(*args: str) -> Ran:
    """``ssl ARGS`` in-process."""
    from ssl_core.cli.root import cli

    result = CliRunner().invoke(cli, list(args))
    return Ran(result.exit_code, result.output)


def write_npz(folder: Path, name: str = "tiny.npz", *, ndim: int = 2, n: int = 12, size: int = 28) -> Path:
    """A tiny labelled MedMNIST-layout npz (random uint8 items, alternating labels)."""
    gen = np.random.default_rng(0)
    arrays = {}
    for split, count in (("train", n), ("val", 4), ("test", n // 2)):
        arrays[f"{split}_images"] = gen.integers(0, 256, (count, *([size] * ndim)), dtype=np.uint8)
        arrays[f"{split}_labels"] = (np.arange(count) % 2).astype(np.uint8)[:, None]
    path = folder / name
    np.savez(path, **arrays)
    return path


def write_embed_input(folder: Path) -> Path:
    """``embed``'s INPUT for the embedded default: a small 2D npz (its test split is embedded)."""
    return write_npz(folder, "embed.npz", n=6)
