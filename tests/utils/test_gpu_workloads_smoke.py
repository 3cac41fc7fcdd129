"""bench/gpu_workloads.py --smoke: the three workloads train through the engine on CPU."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_gpu_workloads_smoke_on_cpu(tmp_path: Path) -> None:
    out = tmp_path / "rows.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, str(ROOT / "bench" / "gpu_workloads.py"), "--smoke", "--json", str(out)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=280, env=env, cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    rows = json.loads(out.read_text())["rows"]
    assert [r["workload"] for r in rows] == ["simclr", "mae", "speech"]
    for r in rows:
        assert "error" not in r, r
        assert r["impl"] == "ssl-core" and r["samples_per_s"] > 0 and r["flops"] > 0 and r["mfu"] > 0
    assert "| workload | variant | impl |" in res.stdout


FAKE_REFERENCE = """
dev = "cpu"
results = []
calls = []
SimCLR, MAE, SpeechMAM = "simclr-model", "mae-model", "speech-model"

def bench(name, make_model, make_batch, variant, steps=20, warm=6):
    calls.append((name, make_model, [tuple(b.shape) for b in make_batch()], variant, steps, warm, PEAK))
    results.append(dict(workload=name, variant=variant, samples_per_s=10.0))
"""


def test_reference_is_called_with_its_own_variant_names(tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "gpu_workloads_under_test", ROOT / "bench" / "gpu_workloads.py"
    )
    assert spec is not None and spec.loader is not None
    gw = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gw)
    path = tmp_path / "reference_workloads.py"
    path.write_text(FAKE_REFERENCE)
    ref = gw.load_reference(path, peak=123.0)
    row = gw.run_reference(ref, "speech", "bf16_compile", warm=2, steps=3)
    assert ref.calls == [("speech", "speech-model", [(32, 1000, 80)], "bf16_cl_compile", 3, 2, 123.0)]
    assert row == dict(workload="speech", variant="bf16_compile", samples_per_s=10.0, impl="reference")
    with pytest.raises(FileNotFoundError):
        gw.load_reference(tmp_path / "missing.txt", peak=1.0)
