"""The core lifecycle on a copy of the real VCTK subset: odd relative path, resume, deleted data.

One tiny run (few steps, tiny sizes through ``--set``) under ``$SSL_DATA_DIR/speech/vctk_autovc``
copied to a folder whose name holds ``#``, ``:`` and spaces, given as a relative ``--data``; it is
resumed to a later step, the copy is deleted, then ``evaluate`` and ``embed`` still work from the
run directory and ``ssl eval RUN`` prints exactly what ``ssl-speech evaluate RUN`` prints.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import ssl_plugin_speech.plugin as plugin
import yaml
from speech_helpers import TINY_VC_ARGS, voice

from ssl_core.testing.data import shared_data_dir

SETS = [
    "train.batch_size=4",
    "train.progress=false",
    *(f"recipe_args.{k}={v}" for k, v in TINY_VC_ARGS.items()),
]


def _steps(run_dir: Path) -> list[int]:
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines() if line.strip()]
    return [r["step"] for r in rows if "step" in r]


@pytest.mark.data
@pytest.mark.slow
@pytest.mark.timeout(280)
def test_real_data_copy_relative_odd_path_resume_then_deleted(
    ssl_pm, cli_runner, tmp_path: Path, monkeypatch
) -> None:
    work = tmp_path / "work"
    data = work / "vctk #1: copy a"
    shutil.copytree(shared_data_dir("speech") / "vctk_autovc", data)
    monkeypatch.chdir(work)
    run_dir = tmp_path / "run"
    sets = [a for s in SETS for a in ("--set", s)]
    with ssl_pm.registered(plugin):
        res = cli_runner.ssl(
            "speech", "pretrain", "--data", data.name, "--steps", "2", "--run-dir", str(run_dir), *sets
        )
        assert res.exit_code == 0, res.output
        res = cli_runner.ssl("speech", "pretrain", "--resume", str(run_dir), "--steps", "4", *sets[:4])
        assert res.exit_code == 0, res.output
        assert "finished step 4" in res.output and max(_steps(run_dir)) == 4
        saved = yaml.safe_load((run_dir / "config.yaml").read_text())
        assert saved["recipe_args"]["data"] == str(data)  # absolute, verbatim, not parsed as YAML
        monkeypatch.chdir(tmp_path)
        shutil.rmtree(work)
        core = cli_runner.ssl("eval", str(run_dir), "--quick")
        domain = cli_runner.ssl("speech", "evaluate", str(run_dir), "--quick")
        assert core.exit_code == 0 and domain.exit_code == 0, core.output + domain.output
        assert core.output == domain.output and "random init" in core.output
        assert "VC -> p227" in core.output  # with --data: the speaker with the most audio
        wav = tmp_path / "in.wav"
        sf.write(wav, voice(150.0, 0.7), 16_000)
        out = tmp_path / "emb.npy"
        res = cli_runner.ssl("speech", "embed", str(run_dir), str(wav), "-o", str(out))
        assert res.exit_code == 0, res.output
        emb = np.load(out)
        assert emb.shape == (1, TINY_VC_ARGS["dim"]) and np.isfinite(emb).all()
