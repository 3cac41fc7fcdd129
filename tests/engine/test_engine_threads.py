"""``train.num_threads`` pins torch's intra-op threads for the run and does not change the config hash."""

from __future__ import annotations

from pathlib import Path

import torch
from _engine_toy import config, recipe

from ssl_core.config import config_hash
from ssl_core.engine import train


def test_num_threads_is_applied_and_ignored_by_the_hash(tmp_path: Path) -> None:
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        cfg = config(steps=2, num_threads=1)
        train(cfg, tmp_path, recipe=recipe())
        assert torch.get_num_threads() == 1
        assert config_hash(cfg) == config_hash(config(steps=2))
    finally:
        torch.set_num_threads(before)
