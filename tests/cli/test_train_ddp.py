"""``ssl train --nproc-per-node 2`` relaunches itself through torchrun and trains on 2 gloo ranks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ssl_core.config import load_run_config

TEMPLATE_SRC = Path(__file__).resolve().parents[2] / "ssl_core" / "templates" / "plugin" / "src"


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_nproc_per_node_2(fake_dist, tmp_path):
    site = fake_dist("ssl-plugin-template", {}, entry_points={"template": "ssl_plugin_template.plugin"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("SSL_CORE_")}
    env.update(
        PYTHONPATH=f"{site}{os.pathsep}{TEMPLATE_SRC}", SSL_CORE_LOAD_PLUGINS="template", OMP_NUM_THREADS="1"
    )
    config, run_dir = tmp_path / "t.yaml", tmp_path / "run"
    ssl = [sys.executable, "-m", "ssl_core.cli"]
    subprocess.run([*ssl, "init", "template", "-o", str(config)], check=True, env=env, timeout=120)
    args = ["--set", "train.steps=3", "--set", "train.batch_size=8", "--set", "recipe_args.n_samples=64"]
    args += ["--set", "train.progress=false", "--set", "train.ckpt_every=3"]
    proc = subprocess.run(
        [
            *ssl,
            "train",
            str(config),
            "--nproc-per-node",
            "2",
            "--device",
            "cpu",
            "--run-dir",
            str(run_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=280,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    saved = load_run_config(run_dir / "config.yaml")
    assert saved.train.steps == 3 and saved.train.device == "cpu"
    assert json.loads((run_dir / "environment.json").read_text())["world_size"] == 2
    assert (run_dir / "checkpoints" / "last.pt").exists()
