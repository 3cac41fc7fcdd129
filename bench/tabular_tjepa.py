"""T-JEPA (Thimonier et al., ICLR 2025) on real tables: protocol, collapse study, speed, profile, old-vs-new.

Models (``_tabular_setup.MODELS``): ``official`` is the official launch configuration exactly (16 x 64
encoder, 16 x 16 predictor with FFN 256, ReLU, post-norm, the launch dropouts and mask shares: the
plugin's ``OFFICIAL_LAUNCH_ARGS``); ``pred-ffn64`` the same with predictor FFN 64 (the official code run
with ``--pred_dim_feedforward 64``); ``bench64`` the recipe defaults (FFN 64, GELU, pre-norm, no dropout,
the model this bench used before 2026-12-04); ``small`` the embedded default's size.

Sections (each prints a table; ``--json`` writes every number):

1. ``protocol``: for Adult and California (rtdl split), for each seed: pretrain T-JEPA through the engine
   (``--model``, batch 512, AdamW 3.66e-4 warmup + cosine, grad value clip 1.0, EMA 0.996 -> 1.0
   linear), then an MLP on the frozen target encoder's flattened output vs the same MLP on raw
   features vs HistGradientBoosting; mean +- std next to the paper's anchors.
2. ``collapse``: RankMe and per-dimension std of the embeddings with ``n_cls = 0`` vs ``n_cls = 1``.
3. ``speed``: optimizer steps/s and peak RSS of ``--speed-models`` in fresh subprocesses, next to the
   official code's idle-core figures (peers.md; only meaningful on an idle machine).
   ``--variants fp32,bf16,compile`` compares precisions / ``torch.compile``, alternated ``--repeats`` times.
4. ``profile``: the share of a step in masks, encoders, predictor, loss, backward and optimizer, with
   matmul GFLOP, and the one-thread GEMM rates of the step's product shapes (the floor).
5. ``compare``: old code (``--base-tree``, a checkout of an older commit) against this tree, side by
   side in alternating fresh processes on the CPU-time clock, converted to "x official" through
   peers.md's side-by-side ratios (``_tabular_compare.py``).

Examples::

    SSL_DATA_DIR=/work/shared/data python bench/tabular_tjepa.py --sections protocol --model official --epochs 20
    python bench/tabular_tjepa.py --sections profile,compare --base-tree /work/wt/perf-base
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import mean, median, stdev
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _tabular_compare import compare  # noqa: E402
from _tabular_profile import gemm_rates, profile_rows, profile_steps  # noqa: E402
from _tabular_setup import MODELS, OFFICIAL, PAPER, data_path, pretrain  # noqa: E402
from ssl_plugin_tabular.evaluate import DownstreamFeatures, ProbeSettings, embed_table, select_epochs  # noqa: E402

from ssl_core.monitors import feature_std, rankme  # noqa: E402
from ssl_core.utils.bench import peak_rss_mb, print_table  # noqa: E402


def protocol(root: Path, names: list[str], seeds: list[int], epochs: float, device: str, probe: ProbeSettings,
             work: Path, log: dict[str, Any], model: dict[str, Any]) -> list[dict[str, Any]]:  # fmt: skip
    """Section 1: per dataset and seed, pretrain + downstream; returns the table rows."""
    rows = []
    for name in names:
        scores: dict[str, list[float]] = {"ssl": [], "raw": [], "hgb": []}
        times = []
        for seed in seeds:
            result, timing = pretrain(data_path(root, name), seed=seed, epochs=epochs, device=device,
                                      run_dir=work / f"{name}-{seed}", model=model)  # fmt: skip
            result.module.eval()
            prepared = result.recipe.data
            got = DownstreamFeatures(result.module.embed, prepared, probe, device).scores(seed)
            for key, value in got.items():
                scores[key].append(value)
            times.append(timing)
            log.setdefault("protocol", {}).setdefault(name, []).append({"seed": seed, **got, **timing})
            print(f"[{name} seed {seed}] {got} {timing}", flush=True)
            flush(log)
        paper = PAPER[name]

        def pm(values: list[float]) -> str:
            return f"{mean(values):.4f} +- {stdev(values) if len(values) > 1 else 0.0:.4f}"

        rows.append({
            "dataset": name, "metric": paper["metric"], "MLP raw": pm(scores["raw"]), "MLP + T-JEPA": pm(scores["ssl"]),
            "HistGB": pm(scores["hgb"]), "paper MLP": paper["mlp"], "paper MLP+T-JEPA": paper["tjepa"],
            "paper GBDT": paper["gbdt"], "epochs": epochs, "pretrain s/seed": f"{mean(t['wall_s'] for t in times):.0f}",
            "steps/s": f"{mean(t['steps_per_s'] for t in times):.2f}",
        })  # fmt: skip
    return rows


def collapse(
    root: Path, epochs: float, device: str, work: Path, log: dict[str, Any], model: dict[str, Any]
) -> list[dict[str, Any]]:
    """Section 2: RankMe / per-dimension std of test embeddings with 0 vs 1 [REG] tokens (Adult)."""
    rows = []
    for n_cls in (0, 1):
        result, _ = pretrain(
            data_path(root, "adult"),
            seed=0,
            epochs=epochs,
            device=device,
            run_dir=work / f"collapse-{n_cls}",
            n_cls=n_cls,
            model=model,
        )
        result.module.eval()
        test = result.recipe.data.splits["test"]
        emb = embed_table(result.module.embed, test, device=device)[:4096].cpu()
        centred = emb - emb.mean(0)  # the per-token constant (positions, [REG]) would dominate the spectrum
        row = {
            "n_cls": n_cls,
            "dims": emb.shape[1],
            "rankme": round(rankme(emb), 2),
            "rankme (centred)": round(rankme(centred), 2),
            "per-dim std (L2-normalised)": round(feature_std(emb), 5),
            "per-dim std (centred, L2-normalised)": round(feature_std(centred), 5),
            "per-dim std (raw)": round(float(emb.std(0).mean()), 4),
        }
        rows.append(row)
        log.setdefault("collapse", []).append(row)
        flush(log)
    return rows


VARIANTS = {
    "fp32": ("fp32", False),
    "bf16": ("bf16", False),
    "compile": ("fp32", True),
    "compile-bf16": ("bf16", True),
}


def speed_child(
    root: Path, name: str, steps: int, threads: int, variant: str, model: str
) -> dict[str, float]:
    """One fresh process: steps/s and peak RSS of ``steps`` steps of ``model`` under ``variant``."""
    cmd = [sys.executable, __file__, "--speed-child", data_path(root, name), "--speed-steps", str(steps),
           "--threads", str(threads), "--variants", variant, "--model", model]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("SPEED "))[6:])


def speed(root: Path, names: list[str], steps: int, threads: int, variants: list[str], repeats: int,
          log: dict[str, Any], models: list[str]) -> list[dict[str, Any]]:  # fmt: skip
    """Section 3: steps/s and peak RSS on CPU, each run in a fresh process.

    The variants (precision / ``torch.compile``) and model sizes alternate within each repeat so that
    machine load hits them alike; each cell is the median over repeats with the range. ``x official``
    divides by peers.md's idle-core figure of the official code at the same model size, so it is only
    meaningful on an idle machine (``compare`` gives the load-proof ratio).
    """
    got: dict[tuple[str, str, str], list[dict[str, float]]] = {}
    for rep in range(repeats):
        for name in names:
            for model in models:
                for variant in variants:
                    one = speed_child(root, name, steps, threads, variant, model)
                    got.setdefault((name, model, variant), []).append(one)
                    log.setdefault("speed_runs", []).append(
                        {"repeat": rep, "dataset": name, "model": model, "variant": variant, **one}
                    )
                    print(f"[speed {rep} {name} {model} {variant}] {one}", flush=True)
                    flush(log)
    rows = []
    for (name, model, variant), runs in got.items():
        rates = [r["steps_per_s"] for r in runs]
        rss = max(r["peak_rss_mb"] for r in runs) / 1024
        off = OFFICIAL.get(name, {}).get(model)
        rows.append({
            "dataset": name, "model": model, "variant": variant, "threads": threads, "runs": len(runs),
            "steps/s median": round(median(rates), 2), "range": f"{min(rates):.2f}-{max(rates):.2f}",
            "steps/s official (idle)": off["steps_per_s"] if off else "n/a",
            "x official": round(median(rates) / off["steps_per_s"], 2) if off else "n/a",
            "first-interval s": round(median(r["first_s"] for r in runs), 1),
            "peak RSS GiB": round(rss, 2), "memory ratio": round(rss / off["peak_gib"], 3) if off else "n/a",
            "load1": round(os.getloadavg()[0], 1),
        })  # fmt: skip
    log["speed"] = rows
    flush(log)
    return rows


_LOG_PATH: Path | None = None


def flush(log: dict[str, Any]) -> None:
    """Write the numbers so far (partial results survive a timeout)."""
    if _LOG_PATH is not None:
        _LOG_PATH.write_text(json.dumps(log, indent=1))


def main() -> None:
    global _LOG_PATH
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=None, help="folder with adult/ and california_housing/ "
                    "(default $SSL_DATA_DIR/tabular)")  # fmt: skip
    ap.add_argument("--datasets", default="adult,california")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--epochs", type=float, default=20.0, help="pretraining epochs per seed")
    ap.add_argument("--collapse-epochs", type=float, default=5.0)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=1, help="CPU threads (speed section and CPU training)")
    ap.add_argument("--speed-steps", type=int, default=30)
    ap.add_argument(
        "--variants", default="fp32,bf16", help=f"speed variants, comma-separated, of {sorted(VARIANTS)}"
    )
    ap.add_argument("--repeats", type=int, default=2, help="speed: alternating rounds over the variants")
    ap.add_argument("--probe-epochs", type=int, default=100)
    ap.add_argument("--probe-lr", type=float, default=3e-3)
    ap.add_argument("--probe-select-every", type=int, default=10, help="early stopping on val: candidate epochs "
                    "every N up to --probe-epochs (0: fixed --probe-epochs)")  # fmt: skip
    ap.add_argument("--sections", default="speed,protocol,collapse", help="any of profile, compare, speed, "
                    "protocol, collapse")  # fmt: skip
    ap.add_argument("--base-tree", type=Path, default=None, help="compare: a checkout of the old code")
    ap.add_argument("--compare-steps", type=int, default=8)
    ap.add_argument("--compare-rounds", type=int, default=3)
    ap.add_argument("--compare-regions", action="store_true", help="compare: this tree with train.compile_regions "
                    "against --base-tree (a checkout of the same code, eager)")  # fmt: skip
    ap.add_argument("--profile-steps", type=int, default=4)
    ap.add_argument("--model", choices=sorted(MODELS), default="official", help="protocol/collapse model size "
                    "(official: the launch configuration exactly; pred-ffn64: its predictor FFN 64)")  # fmt: skip
    ap.add_argument(
        "--speed-models", default="official,pred-ffn64", help="speed: model sizes, comma-separated"
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--speed-child", default=None, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.speed_child:
        torch.set_num_threads(a.threads)
        precision, compile_step = VARIANTS[a.variants]
        with tempfile.TemporaryDirectory() as tmp:
            _, timing = pretrain(a.speed_child, seed=0, epochs=0.0, device="cpu", run_dir=Path(tmp) / "run",
                                 precision=precision, compile_step=compile_step, fixed_steps=a.speed_steps,
                                 model=MODELS[a.model])  # fmt: skip
        print("SPEED " + json.dumps({**timing, "peak_rss_mb": peak_rss_mb()}), flush=True)
        return
    torch.set_num_threads(a.threads)
    root = a.data_dir or Path(os.environ.get("SSL_DATA_DIR", "/work/shared/data")) / "tabular"
    names, seeds, sections = (
        a.datasets.split(","),
        [int(s) for s in a.seeds.split(",")],
        a.sections.split(","),
    )
    _LOG_PATH = a.json
    log: dict[str, Any] = {"args": {k: str(v) for k, v in vars(a).items()}, "torch": torch.__version__,
                           "device": torch.cuda.get_device_name() if a.device.startswith("cuda") else "cpu"}  # fmt: skip
    probe = ProbeSettings(
        epochs=a.probe_epochs,
        lr=a.probe_lr,
        select_epochs=select_epochs(a.probe_epochs, a.probe_select_every),
    )
    log["load_avg_start"] = os.getloadavg()
    if "profile" in sections:
        rows = []
        for label in ("official", "pred-ffn64"):
            got = profile_steps(data_path(root, "adult"), MODELS[label], a.profile_steps)
            rows += profile_rows(label, got)
        log["profile"], log["gemm"] = rows, gemm_rates()
        print_table(rows, f"profile: share of a T-JEPA step (Adult, batch 512, fp32, 1 thread, CPU time, load "
                    f"{os.getloadavg()[0]:.1f}; GFLOP: matmuls of the first warm-up batch, FlopCounterMode)")  # fmt: skip
        print_table(log["gemm"], "ceiling: one-thread fp32 rate of the step's products")
    if "compare" in sections:
        if a.base_tree is None:
            raise SystemExit("compare needs --base-tree (a checkout of the old code)")
        rows = compare(a.base_tree.resolve(), Path(__file__).resolve().parents[1], data_path(root, "adult"),
                       a.compare_steps, a.compare_rounds, log, flush, a.compare_regions)  # fmt: skip
        print_table(rows, "old vs new code, side by side (Adult, batch 512, fp32, 1 thread each; x official = "
                    "x old bench64 here * old bench64 / official in peers.md)")  # fmt: skip
    flush(log)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "speed" in sections:
            print_table(
                speed(
                    root,
                    names,
                    a.speed_steps,
                    a.threads,
                    a.variants.split(","),
                    a.repeats,
                    log,
                    a.speed_models.split(","),
                ),
                f"speed: batch 512, CPU, {a.threads} thread(s)",
            )
        if "protocol" in sections:
            rows = protocol(root, names, seeds, a.epochs, a.device, probe, work, log, MODELS[a.model])
            print_table(rows, f"T-JEPA downstream protocol ({a.model} model)")
        if "collapse" in sections:
            rows = collapse(root, a.collapse_epochs, a.device, work, log, MODELS[a.model])
            print_table(rows, f"collapse study (Adult, test embeddings, {a.model} model)")
    flush(log)


if __name__ == "__main__":
    main()
